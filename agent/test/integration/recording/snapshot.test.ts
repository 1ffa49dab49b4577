import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../src/recording/ffprobe.js";
import { snapshotBuffer, writeSnapshot } from "../../../src/recording/snapshot.js";
import { frameNumbers, makeRing, type Ring, tempDir } from "./ring-fixture.js";

const T0 = 1_700_000_000_000;
let ring: Ring;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir("snap");
  cleanup = tmp.remove;
  dir = tmp.dir;
  await mkdir(join(dir, "ring"));
  ring = await makeRing(join(dir, "ring"), 6, T0);
});
afterAll(() => cleanup?.());

describe("snapshot", () => {
  it("returns the newest segment's last frame as a full-resolution JPEG Buffer", async () => {
    // Out of order on purpose: "newest" is by time, not by position.
    const jpeg = await snapshotBuffer([...ring.segments].reverse());
    expect([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    const file = join(dir, "buffer.jpg");
    await writeFile(file, jpeg);
    expect(await probe(file)).toMatchObject({ codec: "mjpeg", width: 640, height: 360 });
    const [shown] = await frameNumbers(file);
    expect(shown).toBeGreaterThanOrEqual(58); // frame 59 is the last of 6 s at 10 fps
  });

  it("writes the same picture to a file (-o semantics)", async () => {
    const path = join(dir, "snap.jpg");
    const snap = await writeSnapshot(ring.segments, path);
    expect(snap.sizeBytes).toBe((await readFile(path)).length);
    expect(await probe(path)).toMatchObject({ codec: "mjpeg", width: 640, height: 360 });
    const [shown] = await frameNumbers(path);
    expect(shown).toBeGreaterThanOrEqual(58);
  });

  it("rejects without segments", async () => {
    await expect(snapshotBuffer([])).rejects.toMatchObject({ code: "HC_ERR_RECORDING_NO_SEGMENTS" });
  });
});
