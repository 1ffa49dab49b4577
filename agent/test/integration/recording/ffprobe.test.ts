import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../src/recording/ffprobe.js";
import { readPacketTimes } from "../../../src/recording/packet-times.js";
import { RecordingError } from "../../../src/recording/recording-error.js";
import { makeRing, type Ring, tempDir } from "./ring-fixture.js";

let ring: Ring;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir("probe");
  cleanup = tmp.remove;
  await mkdir(join(tmp.dir, "ring"));
  ring = await makeRing(join(tmp.dir, "ring"), 4, 0);
});
afterAll(() => cleanup?.());

describe("probe / readPacketTimes on a real segment", () => {
  it("reports codec, size, duration and frames", async () => {
    const seg = ring.segments[0]!;
    expect(await probe(seg.path, { countFrames: true })).toEqual({
      codec: "h264",
      width: 640,
      height: 360,
      durationMs: 2000,
      frames: 20,
    });
  });

  it("finds the key frames (every 1 s) and the last frame, from the file's start", async () => {
    expect(await readPacketTimes(ring.segments[1]!.path)).toEqual({
      keyframesMs: [0, 1000],
      lastFrameMs: 1900,
    });
  });

  it("fails with a coded error on a missing file", async () => {
    const err = await probe("/nonexistent/x.ts").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingError);
    expect((err as RecordingError).code).toBe("HC_ERR_RECORDING_FFMPEG");
  });
});
