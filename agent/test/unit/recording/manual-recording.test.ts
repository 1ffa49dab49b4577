import { describe, expect, it, vi } from "vitest";
import type { Segment } from "../../../src/capture/segment.js";
import type { ClipPart } from "../../../src/recording/clip-plan.js";
import type { ClipFile } from "../../../src/recording/clip-writer.js";
import { type ManualRecordingDeps, recordNow } from "../../../src/recording/manual-recording.js";
import { RecordingError } from "../../../src/recording/recording-error.js";

const NOW = 1_700_000_100_000;
/** 2 s segments from `fromMs` up to `toMs`, optionally skipping some indexes (a restart). */
function ringUpTo(fromMs: number, toMs: number, skip: number[] = []): Segment[] {
  const out: Segment[] = [];
  for (let i = 0, t = fromMs; t < toMs; i++, t += 2000) {
    if (!skip.includes(i)) out.push({ path: `/ring/${i}.ts`, startMs: t, endMs: t + 2000 });
  }
  return out;
}

function deps(segments: (toMs: number) => Segment[]) {
  const written: ClipPart[] = [];
  const d: ManualRecordingDeps = {
    now: () => NOW,
    waitForSegments: vi.fn(async (toMs: number) => segments(toMs)),
    writePart: async (part): Promise<ClipFile> => {
      written.push(part);
      return { path: `/clips/${part.index}.mp4`, durationMs: part.durationMs, sizeBytes: 1, format: "mp4" };
    },
  };
  return { d, written };
}

describe("recordNow", () => {
  it("waits for the ring to reach now + seconds and plans [now − preRoll, now + seconds]", async () => {
    const { d, written } = deps((toMs) => ringUpTo(NOW - 30_000, toMs));
    const rec = await recordNow(20, d, { preRollSeconds: 3 });
    expect(d.waitForSegments).toHaveBeenCalledWith(NOW + 20_000, undefined);
    expect(rec.plan.window).toEqual({ startMs: NOW - 3000, endMs: NOW + 20_000 });
    expect(rec.plan.clamped).toBe(false);
    expect(written).toHaveLength(1);
    expect(written[0]!.durationMs).toBe(23_000);
    expect(rec.clips.map((c) => c.path)).toEqual(["/clips/0.mp4"]);
  });

  it("uses the 5 s default pre-roll and is not limited by an event's maxSeconds", async () => {
    const { d } = deps((toMs) => ringUpTo(NOW - 30_000, toMs));
    const rec = await recordNow(120, d);
    expect(rec.plan.window).toEqual({ startMs: NOW - 5000, endMs: NOW + 120_000 });
    expect(rec.plan.parts[0]!.durationMs).toBe(125_000);
  });

  it("writes one clip per part when the camera restarted during the recording", async () => {
    const { d, written } = deps((toMs) => ringUpTo(NOW - 10_000, toMs, [8, 9]));
    const rec = await recordNow(20, d, { preRollSeconds: 4 });
    expect(written.map((p) => p.index)).toEqual([0, 1]);
    expect(rec.plan.uncovered).toEqual([{ startMs: NOW + 6000, endMs: NOW + 10_000 }]);
  });

  it("reports the part of the window the ring could not provide (stopped early)", async () => {
    const { d } = deps(() => ringUpTo(NOW - 10_000, NOW + 6000));
    const rec = await recordNow(10, d, { preRollSeconds: 2 });
    expect(rec.plan.uncovered).toEqual([{ startMs: NOW + 6000, endMs: NOW + 10_000 }]);
  });

  it("fails with NO_SEGMENTS when the ring holds nothing for the window", async () => {
    const { d } = deps(() => []);
    await expect(recordNow(10, d)).rejects.toMatchObject({ code: "HC_ERR_RECORDING_NO_SEGMENTS" });
  });

  it.each([0, -1, Number.NaN, 601])("rejects a length of %s seconds", async (seconds) => {
    const { d } = deps(() => []);
    await expect(recordNow(seconds, d)).rejects.toBeInstanceOf(RecordingError);
    expect(d.waitForSegments).not.toHaveBeenCalled();
  });

  it("stops before writing when aborted", async () => {
    const ac = new AbortController();
    const { d, written } = deps((toMs) => {
      ac.abort();
      return ringUpTo(NOW - 10_000, toMs);
    });
    await expect(recordNow(5, d, { signal: ac.signal })).rejects.toThrow();
    expect(written).toHaveLength(0);
  });
});
