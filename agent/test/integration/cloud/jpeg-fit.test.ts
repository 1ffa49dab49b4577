import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitJpeg, SNAPSHOT_MAX_BYTES } from "../../../src/cloud/jpeg-fit.js";
import { isJpeg } from "../camera/helpers.js";
import { tempDir } from "./cloud-fixture.js";
import { jpegWidth } from "./jpeg-size.js";

const run = promisify(execFile);

describe("fitJpeg", () => {
  let dir: { path: string; remove(): Promise<void> };
  let big: Buffer;

  beforeAll(async () => {
    dir = await tempDir("jpeg");
    const file = join(dir.path, "noise.jpg");
    // 1080p of noise at the best quality: a JPEG of several hundred KB.
    await run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
      ...["-i", "color=c=0x557799:s=1920x1080,noise=alls=40:allf=t+u", "-frames:v", "1", "-q:v", "2", file],
    ]);
    big = await readFile(file);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it("re-encodes a JPEG over the limit to a smaller one at most 1280 wide", async () => {
    expect(big.length).toBeGreaterThan(SNAPSHOT_MAX_BYTES);
    const fitted = await fitJpeg(big);
    expect(await isJpeg(fitted)).toBe(true);
    expect(fitted.length).toBeLessThanOrEqual(SNAPSHOT_MAX_BYTES);
    expect(jpegWidth(fitted)).toBeLessThanOrEqual(1280);
  });

  it("leaves a JPEG under the limit untouched", async () => {
    const fitted = await fitJpeg(big, { maxBytes: big.length });
    expect(fitted).toBe(big);
  });

  it("gives up with E_PAYLOAD_TOO_LARGE when nothing fits, and rejects what is not a JPEG", async () => {
    await expect(fitJpeg(big, { maxBytes: 100 })).rejects.toMatchObject({ code: "E_PAYLOAD_TOO_LARGE" });
    await expect(fitJpeg(Buffer.alloc(300_000, 7))).rejects.toThrow(/ffmpeg re-encode failed/);
  });
});
