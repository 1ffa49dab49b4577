import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planClip } from "../../../src/recording/clip-plan.js";
import { writeClip } from "../../../src/recording/clip-writer.js";
import { probe } from "../../../src/recording/ffprobe.js";
import { RecordingError } from "../../../src/recording/recording-error.js";
import { decodeAll, FRAME_MS, frameNumbers, makeRing, type Ring, tempDir } from "./ring-fixture.js";

const exec = promisify(execFile);
const T0 = 1_700_000_000_000;
const at = (sec: number) => T0 + sec * 1000;

let ring: Ring;
let out: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir("clip");
  cleanup = tmp.remove;
  const ringDir = join(tmp.dir, "ring");
  out = join(tmp.dir, "clips");
  await exec("mkdir", ["-p", ringDir, out]);
  ring = await makeRing(ringDir, 20, T0);
});
afterAll(() => cleanup?.());

/** Errors measured per case, printed once at the end (quoted in the module's report). */
const measured: Array<Record<string, string | number>> = [];
afterAll(() => {
  if (measured.length > 0) console.table(measured);
});

describe("writeClip on real ring segments", () => {
  it.each([
    { name: "pre-roll into mid-GOP", event: [8.3, 10], pre: 5, post: 3 },
    { name: "start on a key frame", event: [6, 7], pre: 2, post: 4 },
    { name: "start 50 ms before a key frame", event: [9.95, 11], pre: 5, post: 0 },
    { name: "pre-roll before the ring's oldest segment", event: [2, 5], pre: 5, post: 10 },
    { name: "post-roll past the newest segment", event: [12, 30], pre: 5, post: 10 },
    { name: "clamped by maxSeconds", event: [1, 200], pre: 1, post: 10, max: 12 },
  ])("$name: H.264 fMP4 that decodes, within ±1 s of the window", async (c) => {
    const plan = planClip(
      ring.segments,
      { startMs: at(c.event[0]!), endMs: at(c.event[1]!) },
      { preRollSeconds: c.pre, postRollSeconds: c.post, maxSeconds: c.max ?? 60 },
    );
    expect(plan.parts).toHaveLength(1);
    const part = plan.parts[0]!;
    const clip = await writeClip(part, join(out, `${c.name.replaceAll(" ", "-")}.mp4`));

    expect(clip.format).toBe("mp4");
    expect(clip.sizeBytes).toBe((await stat(clip.path)).size);
    const info = await probe(clip.path, { countFrames: true });
    expect(info).toMatchObject({ codec: "h264", width: 640, height: 360 });
    expect(await decodeAll(clip.path)).toEqual({ ok: true, stderr: "" });

    // Which source frames the clip really holds (corner patch), against the planned part.
    const frames = await frameNumbers(clip.path);
    expect(frames).toHaveLength(info.frames!);
    const firstMs = T0 + frames[0]! * FRAME_MS;
    // The clip starts on a key frame, whose patch reads exactly; the rest follows frame by frame
    // (the encoder repeats the patch of odd frames, so counting beats reading the last one).
    const endMs = firstMs + frames.length * FRAME_MS;
    expect(frames.at(-1)! - frames[0]!).toBeGreaterThanOrEqual(frames.length - 2);
    const startError = firstMs - part.startMs;
    const endError = endMs - part.endMs;
    const durationError = clip.durationMs - part.durationMs;
    measured.push({ case: c.name, wantedMs: part.durationMs, gotMs: clip.durationMs, startError, endError });
    // Starts at the key frame at or before the wanted start (never loses pre-roll), ≤ 1 GOP early;
    // one frame of slack for reading the patch.
    expect(startError).toBeGreaterThanOrEqual(-1000 - FRAME_MS);
    expect(startError).toBeLessThanOrEqual(FRAME_MS);
    expect(Math.abs(endError)).toBeLessThanOrEqual(FRAME_MS);
    expect(Math.abs(durationError)).toBeLessThanOrEqual(1000);
  });

  it("writes one clip per part across a gap, each playing on its own", async () => {
    const withGap = ring.segments.filter((_, i) => i !== 4); // [8 s, 10 s) lost in a restart
    const plan = planClip(
      withGap,
      { startMs: at(7), endMs: at(8) },
      { preRollSeconds: 2, postRollSeconds: 5 },
    );
    expect(plan.parts.map((p) => [p.startMs - T0, p.endMs - T0])).toEqual([
      [5000, 8000],
      [10_000, 13_000],
    ]);
    const clips = await Promise.all(plan.parts.map((p) => writeClip(p, join(out, `gap-${p.index}.mp4`))));
    for (const [i, clip] of clips.entries()) {
      expect(await decodeAll(clip.path)).toEqual({ ok: true, stderr: "" });
      const frames = await frameNumbers(clip.path);
      const part = plan.parts[i]!;
      expect(T0 + frames[0]! * FRAME_MS).toBeLessThanOrEqual(part.startMs);
      expect(T0 + (frames.at(-1)! + 1) * FRAME_MS).toBeCloseTo(part.endMs, -3);
      // Nothing from the lost segment was invented.
      expect(frames.every((n) => n < 80 || n >= 100)).toBe(true);
    }
  });

  it("is fragmented MP4: a copy cut at half its bytes still decodes its first fragments", async () => {
    const plan = planClip(
      ring.segments,
      { startMs: at(4), endMs: at(12) },
      { preRollSeconds: 0, postRollSeconds: 0 },
    );
    const clip = await writeClip(plan.parts[0]!, join(out, "whole.mp4"));
    const bytes = await readFile(clip.path);
    // Empty moov (with mvex) first, then one moof per key frame.
    const moov = bytes.indexOf("moov");
    expect(moov).toBeGreaterThan(0);
    expect(bytes.indexOf("mvex")).toBeGreaterThan(moov);
    expect(bytes.indexOf("moof")).toBeGreaterThan(moov);

    const half = join(out, "half.mp4");
    await writeFile(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const frames = await frameNumbers(half);
    const all = await frameNumbers(clip.path);
    // The complete fragments before the cut decode, in order, from the clip's first frame.
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(all.length * 0.3));
    expect(frames.slice(0, 20)).toEqual(all.slice(0, 20));

    // Contrast: a classic MP4 (index at the end), cut the same way, has no playable frame.
    const classic = join(out, "classic.mp4");
    await exec("ffmpeg", [
      "-v",
      "error",
      "-i",
      clip.path,
      "-c",
      "copy",
      "-movflags",
      "-faststart",
      "-y",
      classic,
    ]);
    const cBytes = await readFile(classic);
    const cHalf = join(out, "classic-half.mp4");
    await writeFile(cHalf, cBytes.subarray(0, Math.floor(cBytes.length / 2)));
    expect((await decodeAll(cHalf)).ok).toBe(false);
  });

  it("replaces an existing file atomically and leaves no temporary files", async () => {
    const plan = planClip(
      ring.segments,
      { startMs: at(3), endMs: at(4) },
      { preRollSeconds: 0, postRollSeconds: 0 },
    );
    const target = join(out, "replace.mp4");
    await writeFile(target, "old");
    const clip = await writeClip(plan.parts[0]!, target);
    expect(clip.sizeBytes).toBeGreaterThan(3);
    expect((await readdir(out)).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("fails with a coded error and writes nothing when the ring recycled a segment", async () => {
    const plan = planClip(
      ring.segments,
      { startMs: at(3), endMs: at(6) },
      { preRollSeconds: 0, postRollSeconds: 0 },
    );
    const part = plan.parts[0]!;
    const broken = {
      ...part,
      segments: [part.segments[0]!, { ...part.segments[1]!, path: join(out, "missing.ts") }],
    };
    const err = await writeClip(broken, join(out, "broken.mp4")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingError);
    expect((err as RecordingError).code).toBe("HC_ERR_RECORDING_NO_SEGMENTS");
    const left = await readdir(out);
    expect(left.filter((f) => f.startsWith(".") || f === "broken.mp4")).toEqual([]);
  });

  it("fails when ffmpeg cannot read a segment, e.g. one that is not video at all", async () => {
    const plan = planClip(
      ring.segments,
      { startMs: at(3), endMs: at(6) },
      { preRollSeconds: 0, postRollSeconds: 0 },
    );
    const part = plan.parts[0]!;
    const junk = join(out, "junk.ts");
    await writeFile(junk, "not a transport stream");
    const broken = { ...part, segments: [{ ...part.segments[0]!, path: junk }, ...part.segments.slice(1)] };
    const err = await writeClip(broken, join(out, "junk.mp4")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingError);
    expect((await readdir(out)).filter((f) => f.startsWith(".") || f === "junk.mp4")).toEqual([]);
  });
});
