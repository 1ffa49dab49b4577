import { readFile } from "node:fs/promises";
import { type CameraConfig, cameraConfigSchema } from "@homecam/shared";
import { COUNTER_BITS, counterCell } from "../../../src/capture/test-scene.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { type AgentRepos, agentRepos } from "../../../src/store/repos.js";

export { capturingLogger, pidAlive, tempDir, waitFor } from "../capture/helpers.js";
export { decodeAll } from "../recording/ring-fixture.js";

export function cameraConfig(id: string, input: Record<string, unknown>): CameraConfig {
  return cameraConfigSchema.parse({ id, name: id, ...input });
}

export async function openRepos(stateDir: string): Promise<{ store: AgentStore; repos: AgentRepos }> {
  const store = await openAgentStore(stateDir, { log: { info: () => {}, warn: () => {} } });
  return { store, repos: agentRepos(store.db) };
}

export async function isJpeg(pathOrBuffer: string | Buffer): Promise<boolean> {
  const b = typeof pathOrBuffer === "string" ? await readFile(pathOrBuffer) : pathOrBuffer;
  return (
    b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff && b.at(-2) === 0xff && b.at(-1) === 0xd9
  );
}

/**
 * The test scene's burned-in frame counter, read from a gray analysis frame of a 640-wide source
 * (bit k = square k along the top-left edge; see capture/test-scene.ts).
 */
export function readCounter(data: Uint8Array, width: number, sourceWidth = 640): number {
  const cell = counterCell(sourceWidth) * (width / sourceWidth);
  let n = 0;
  for (let k = 0; k < COUNTER_BITS; k++) {
    if ((data[Math.floor(cell / 2) * width + Math.floor(k * cell + cell / 2)] ?? 0) > 128) n |= 1 << k;
  }
  return n;
}

export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * Ground truth of the `moving-objects` scene in stream seconds, from capture/test-scene.ts: the
 * person is in view for t mod 20 ∈ [0, 8), the car for t mod 30 ∈ [10, 14], the ball for
 * t mod 45 ∈ [22, 34]; every object moves the whole time it is in view.
 */
export function sceneTruth(untilS: number): Interval[] {
  const spans: Interval[] = [];
  const add = (period: number, from: number, to: number) => {
    for (let k = 0; k * period < untilS; k++)
      spans.push({ startMs: (k * period + from) * 1000, endMs: (k * period + to) * 1000 });
  };
  add(20, 0, 8);
  add(30, 10, 14);
  add(45, 22, 34);
  return spans.sort((a, b) => a.startMs - b.startMs);
}

/** Events the tracker should report: spans closer than `gapMs` merge into one. */
export function expectedEvents(truth: readonly Interval[], gapMs: number): Interval[] {
  const out: Interval[] = [];
  for (const s of truth) {
    const last = out.at(-1);
    if (last && s.startMs - last.endMs < gapMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}
