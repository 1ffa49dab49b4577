import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Segment } from "../../../src/capture/segment.js";
import { writeClip } from "../../../src/recording/clip-writer.js";
import { recordNow } from "../../../src/recording/manual-recording.js";
import { decodeAll, FRAME_MS, frameNumbers, makeRing, type Ring, tempDir } from "./ring-fixture.js";

const T0 = 1_700_000_000_000;
let ring: Ring;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir("manual");
  cleanup = tmp.remove;
  dir = tmp.dir;
  await mkdir(join(dir, "ring"));
  ring = await makeRing(join(dir, "ring"), 20, T0);
});
afterAll(() => cleanup?.());

describe("recordNow with real segments", () => {
  it("waits for the ring to cover now + seconds, then writes [now − preRoll, now + seconds]", async () => {
    const now = T0 + 9_450;
    // The ring "grows": segments appear one per call until the requested end is covered.
    let visible = 5;
    const waitForSegments = async (toMs: number): Promise<Segment[]> => {
      while (ring.segments[visible - 1]!.endMs < toMs && visible < ring.segments.length) {
        visible++;
        await new Promise((r) => setImmediate(r));
      }
      return ring.segments.slice(0, visible);
    };
    const rec = await recordNow(
      6,
      {
        now: () => now,
        waitForSegments,
        writePart: (part) => writeClip(part, join(dir, `manual-${part.index}.mp4`)),
      },
      { preRollSeconds: 3 },
    );

    expect(visible).toBe(8); // up to the segment holding now + 6 s = 15.45 s
    expect(rec.clips).toHaveLength(1);
    const clip = rec.clips[0]!;
    expect(await decodeAll(clip.path)).toEqual({ ok: true, stderr: "" });
    expect(Math.abs(clip.durationMs - 9000)).toBeLessThanOrEqual(1000);
    const frames = await frameNumbers(clip.path);
    const firstMs = T0 + frames[0]! * FRAME_MS;
    expect(firstMs).toBeLessThanOrEqual(now - 3000);
    expect(firstMs).toBeGreaterThanOrEqual(now - 3000 - 1000);
    expect(Math.abs(firstMs + frames.length * FRAME_MS - (now + 6000))).toBeLessThanOrEqual(FRAME_MS);
  });
});
