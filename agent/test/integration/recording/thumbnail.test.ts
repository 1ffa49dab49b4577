import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../src/recording/ffprobe.js";
import { writeThumbnail } from "../../../src/recording/thumbnail.js";
import { frameNumbers, makeRing, type Ring, tempDir } from "./ring-fixture.js";

const T0 = 1_700_000_000_000;
let ring: Ring;
let out: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir("thumb");
  cleanup = tmp.remove;
  out = join(tmp.dir, "thumbs");
  await mkdir(out);
  await mkdir(join(tmp.dir, "ring"));
  ring = await makeRing(join(tmp.dir, "ring"), 20, T0);
});
afterAll(() => cleanup?.());

describe("writeThumbnail", () => {
  it.each([
    { name: "mid-GOP (not a key frame)", atSec: 7.3, frame: 73 },
    { name: "on a key frame", atSec: 12, frame: 120 },
    { name: "first frame of the ring", atSec: 0, frame: 0 },
    { name: "after the ring's end: its last frame", atSec: 25, frame: 199 },
    { name: "before the ring: its first frame", atSec: -3, frame: 0 },
  ])("$name → a 320-wide JPEG of frame $frame", async ({ atSec, frame }) => {
    const path = join(out, `t${atSec}.jpg`);
    const thumb = await writeThumbnail(ring.segments, T0 + atSec * 1000, path);
    expect(thumb.path).toBe(path);
    const bytes = await readFile(path);
    expect(thumb.sizeBytes).toBe(bytes.length);
    expect([bytes[0], bytes[1], bytes.at(-2), bytes.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]); // SOI … EOI
    expect(await probe(path)).toMatchObject({ codec: "mjpeg", width: 320, height: 180 });
    // The encoder repeats an odd frame's patch from the even one before it: allow one frame.
    const [shown] = await frameNumbers(path, 40);
    expect(Math.abs(shown! - frame)).toBeLessThanOrEqual(1);
  });

  it("a time in a gap takes the nearest segment; no temporary files are left", async () => {
    const withGap = ring.segments.filter((_, i) => i !== 3); // [6 s, 8 s) missing
    const path = join(out, "gap.jpg");
    await writeThumbnail(withGap, T0 + 7_600, path); // nearer the start of [8 s, 10 s)
    const [shown] = await frameNumbers(path, 40);
    expect(Math.abs(shown! - 80)).toBeLessThanOrEqual(1);
    expect((await readdir(out)).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("honours maxWidth and never upscales", async () => {
    const small = await writeThumbnail(ring.segments, T0 + 1000, join(out, "w160.jpg"), { maxWidth: 160 });
    expect(await probe(small.path)).toMatchObject({ width: 160, height: 90 });
    const big = await writeThumbnail(ring.segments, T0 + 1000, join(out, "w4k.jpg"), { maxWidth: 3840 });
    expect(await probe(big.path)).toMatchObject({ width: 640, height: 360 });
  });

  it("rejects without segments", async () => {
    await expect(writeThumbnail([], T0, join(out, "none.jpg"))).rejects.toMatchObject({
      code: "HC_ERR_RECORDING_NO_SEGMENTS",
    });
  });
});
