import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Uploader } from "../../../src/cloud/uploader.js";
import { tempDir } from "../capture/helpers.js";
import { type AgentSide, addEvent, openAgentSide, pollUntil } from "./agent-side.js";
import { type MultipartCloud, startMultipartCloud } from "./multipart-cloud.js";

// Multipart uploads of a 20 MiB clip (three 8 MiB-based parts: 8, 8 and 4 MiB) against the cloud's
// real S3 driver and s3rver; part PUTs are counted where the storage receives them.

const CLIP_BYTES = 20 * 1024 * 1024;

describe("multipart clip upload (s3rver)", () => {
  let dirs: { path: string; remove(): Promise<void> };
  let clip: string;
  let clipSha: string;
  let cloud: MultipartCloud;
  let agentDir: { path: string; remove(): Promise<void> };
  let side: AgentSide;
  let uploader: Uploader | undefined;

  beforeAll(async () => {
    dirs = await tempDir("multipart-media");
    clip = join(dirs.path, "long.mp4");
    const bytes = randomBytes(CLIP_BYTES);
    clipSha = createHash("sha256").update(bytes).digest("hex");
    await writeFile(clip, bytes);
  });
  afterAll(async () => {
    await dirs?.remove();
  });
  beforeEach(async () => {
    cloud = await startMultipartCloud();
    agentDir = await tempDir("multipart-agent");
    side = await openAgentSide(agentDir.path, cloud.url);
  });
  afterEach(async () => {
    await uploader?.stop();
    uploader = undefined;
    await side?.close();
    await cloud?.close();
    await agentDir?.remove();
  });

  const partsOk = (n: number) => cloud.partPuts.filter((p) => p.partNumber === n && p.status === 200).length;
  const state = async (id: string) => (await side.repos.recordings.get(id))?.uploadState;

  it("uploads a 20 MiB clip in three parts; the stored object is byte-identical", async () => {
    const { recordingIds } = await addEvent(side, { clips: [clip] });
    const id = recordingIds[0]!;
    uploader = side.uploader();
    expect(await uploader.runPass()).toBe(1);

    expect(await state(id)).toBe("uploaded");
    expect(cloud.presigns.map((p) => p.answered)).toEqual(["multipart"]);
    expect(cloud.partPuts.map((p) => [p.partNumber, p.status])).toEqual([
      [1, 200],
      [2, 200],
      [3, 200],
    ]);
    expect(cloud.singlePuts).toBe(0);
    const [done] = cloud.completes;
    expect(done).toMatchObject({ recordingId: id, kind: "clip", sizeBytes: CLIP_BYTES });
    expect(done?.uploadId).toBe(cloud.presigns[0]?.uploadId);
    expect(done?.parts?.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(done?.parts?.every((p) => /^"[0-9a-f]{32}"$/.test(p.etag))).toBe(true);
    expect(await cloud.objectSha256(cloud.objectKey(id, "clip"))).toBe(clipSha);
    // Confirmed: nothing is kept for a resume any more.
    expect(await side.multipart.load(id, "clip")).toBeUndefined();
  }, 60_000);

  it("retries a failed part alone, within the same attempt", async () => {
    const { recordingIds } = await addEvent(side, { clips: [clip] });
    const id = recordingIds[0]!;
    cloud.failPartOnce(2, 500);
    uploader = side.uploader();
    await uploader.runPass();

    expect(await state(id)).toBe("uploaded");
    expect(cloud.presigns).toHaveLength(1);
    expect(cloud.partPuts.map((p) => [p.partNumber, p.status])).toEqual([
      [1, 200],
      [2, 500],
      [2, 200],
      [3, 200],
    ]);
    expect(await cloud.objectSha256(cloud.objectKey(id, "clip"))).toBe(clipSha);
  }, 60_000);

  it("resumes after a restart: presigns with the saved uploadId and sends only the missing parts", async () => {
    const { recordingIds } = await addEvent(side, { clips: [clip] });
    const id = recordingIds[0]!;
    cloud.holdPartOnce(2);
    uploader = side.uploader();
    await uploader.start(new AbortController().signal);
    await pollUntil("part 2 on the wire", () => cloud.held === 1);
    // The agent stops (as for a restart) in the middle of part 2.
    await uploader.stop();
    uploader = undefined;
    await pollUntil("part 2 abandoned", () => cloud.held === 0);
    expect(await state(id)).toBe("pending");
    expect(cloud.completes).toHaveLength(0);
    const firstUploadId = cloud.presigns[0]?.uploadId;
    const saved = await side.multipart.load(id, "clip");
    expect(saved).toMatchObject({ uploadId: firstUploadId, sizeBytes: CLIP_BYTES });
    expect([...(saved?.parts.keys() ?? [])]).toEqual([1]);

    await side.reopen();
    uploader = side.uploader();
    await uploader.runPass();

    expect(await state(id)).toBe("uploaded");
    expect(cloud.presigns.map((p) => [p.answered, p.body.uploadId])).toEqual([
      ["multipart", undefined],
      ["multipart", firstUploadId],
    ]);
    // Part 1 went once; part 2 once abandoned and once whole; part 3 once.
    expect(cloud.partPuts.map((p) => [p.partNumber, p.status])).toEqual([
      [1, 200],
      [2, 0],
      [2, 200],
      [3, 200],
    ]);
    expect([partsOk(1), partsOk(2), partsOk(3)]).toEqual([1, 1, 1]);
    expect(cloud.completes.map((c) => c.uploadId)).toEqual([firstUploadId]);
    expect(cloud.completes[0]?.parts?.[0]?.etag).toBe(saved?.parts.get(1));
    expect(await cloud.objectSha256(cloud.objectKey(id, "clip"))).toBe(clipSha);
    expect(await side.multipart.load(id, "clip")).toBeUndefined();
  }, 60_000);

  it("starts over when the cloud answers E_CONFLICT for the saved uploadId", async () => {
    const { recordingIds } = await addEvent(side, { clips: [clip] });
    const id = recordingIds[0]!;
    cloud.holdPartOnce(3);
    uploader = side.uploader();
    await uploader.start(new AbortController().signal);
    await pollUntil("part 3 on the wire", () => cloud.held === 1);
    await uploader.stop();
    await side.reopen();
    const stale = (await side.multipart.load(id, "clip"))?.uploadId;
    expect(stale).toBeDefined();
    // The storage expired the upload meanwhile.
    cloud.forgetUploads();

    uploader = side.uploader();
    await uploader.runPass();

    expect(await state(id)).toBe("uploaded");
    const [, resumed, fresh] = cloud.presigns;
    expect(resumed).toMatchObject({ answered: "E_CONFLICT", body: { uploadId: stale } });
    expect(fresh?.answered).toBe("multipart");
    expect(fresh?.body.uploadId).toBeUndefined();
    expect(fresh?.uploadId).not.toBe(stale);
    // Every part again, under the new upload.
    expect(cloud.partPuts.filter((p) => p.uploadId === fresh?.uploadId).map((p) => p.partNumber)).toEqual([
      1, 2, 3,
    ]);
    expect(cloud.completes.map((c) => c.uploadId)).toEqual([fresh?.uploadId]);
    expect(await cloud.objectSha256(cloud.objectKey(id, "clip"))).toBe(clipSha);
  }, 60_000);
});
