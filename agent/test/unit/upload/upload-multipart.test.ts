import { describe, expect, it } from "vitest";
import {
  type MultipartDeps,
  type MultipartPresign,
  MultipartRestartError,
  uploadParts,
} from "../../../src/cloud/upload-multipart.js";
import { UploadPutError } from "../../../src/cloud/upload-put.js";
import { MemoryMultipartState } from "../../../src/store/multipart-uploads-repo.js";

// The part bookkeeping of a multipart upload: which byte range each part is, what is skipped, what
// is tried again alone, and when the saved state is dropped so the next attempt starts over.

const obj = { recordingId: "r1", kind: "clip" as const, filePath: "/unused", sizeBytes: 25 };

function presign(partNumbers: number[], partSizeBytes = 10): MultipartPresign {
  return {
    mode: "multipart",
    objectKey: "devices/d/r1.mp4",
    uploadId: "u1",
    partSizeBytes,
    parts: partNumbers.map((partNumber) => ({
      partNumber,
      url: `http://storage.test/p${partNumber}`,
      method: "PUT" as const,
      headers: {},
      expiresAt: 0,
    })),
  };
}

/** A `put` that records ranges and answers from `script` (an error to throw, or an ETag). */
function harness(script: Record<number, (Error | string)[]> = {}) {
  const state = new MemoryMultipartState();
  const calls: [number, number, number][] = [];
  const deps: MultipartDeps = {
    state,
    signal: new AbortController().signal,
    partRetryMs: 1,
    put: async (part, start, length) => {
      calls.push([part.partNumber, start, length]);
      const next = script[part.partNumber]?.shift();
      if (next instanceof Error) throw next;
      return { etag: next ?? `"e${part.partNumber}"` };
    },
  };
  return { state, calls, deps };
}

describe("uploadParts", () => {
  it("sends each part's byte range once, saving every ETag as it comes", async () => {
    const { state, calls, deps } = harness();
    await state.begin("r1", "clip", { uploadId: "u1", objectKey: "k", partSizeBytes: 10, sizeBytes: 25 });
    const parts = await uploadParts(presign([3, 1, 2]), obj, new Map(), deps);
    expect(calls).toEqual([
      [1, 0, 10],
      [2, 10, 10],
      [3, 20, 5],
    ]);
    expect(parts).toEqual([
      { partNumber: 1, etag: '"e1"' },
      { partNumber: 2, etag: '"e2"' },
      { partNumber: 3, etag: '"e3"' },
    ]);
    expect([...((await state.load("r1", "clip"))?.parts ?? [])]).toEqual([
      [1, '"e1"'],
      [2, '"e2"'],
      [3, '"e3"'],
    ]);
  });

  it("skips finished parts and tries a transient failure again alone", async () => {
    const { calls, deps } = harness({ 3: [new UploadPutError("reset", 0), new UploadPutError("503", 503)] });
    const parts = await uploadParts(presign([1, 2, 3]), obj, new Map([[1, '"saved"']]), deps);
    expect(calls.map((c) => c[0])).toEqual([2, 3, 3, 3]);
    expect(parts.map((p) => p.etag)).toEqual(['"saved"', '"e2"', '"e3"']);
  });

  it("gives up after partAttempts, keeping the parts done for the next attempt", async () => {
    const fail = () => new UploadPutError("down", 0);
    const { state, deps } = harness({ 2: [fail(), fail(), fail()] });
    await state.begin("r1", "clip", { uploadId: "u1", objectKey: "k", partSizeBytes: 10, sizeBytes: 25 });
    await expect(uploadParts(presign([1, 2, 3]), obj, new Map(), deps)).rejects.toBeInstanceOf(
      UploadPutError,
    );
    expect([...((await state.load("r1", "clip"))?.parts.keys() ?? [])]).toEqual([1]);
  });

  it("does not retry a refused part (403: the URL expired) and keeps the state for a new presign", async () => {
    const { state, calls, deps } = harness({ 1: [new UploadPutError("forbidden", 403)] });
    await state.begin("r1", "clip", { uploadId: "u1", objectKey: "k", partSizeBytes: 10, sizeBytes: 25 });
    await expect(uploadParts(presign([1, 2, 3]), obj, new Map(), deps)).rejects.toMatchObject({
      status: 403,
    });
    expect(calls).toHaveLength(1);
    expect(await state.load("r1", "clip")).toBeDefined();
  });

  it.each([
    ["the storage lost the upload (404)", { 2: [new UploadPutError("no such upload", 404)] }, [1, 2, 3]],
    ["a part is neither saved nor presigned", {}, [1, 3]],
    ["a part lies beyond the object", {}, [1, 2, 3, 4]],
  ])("drops the saved state when %s", async (_why, script, partNumbers) => {
    const { state, calls, deps } = harness(script);
    await state.begin("r1", "clip", { uploadId: "u1", objectKey: "k", partSizeBytes: 10, sizeBytes: 25 });
    await expect(uploadParts(presign(partNumbers), obj, new Map(), deps)).rejects.toBeInstanceOf(
      MultipartRestartError,
    );
    expect(await state.load("r1", "clip")).toBeUndefined();
    // An answer that cannot make up the object is refused before any byte goes.
    if (partNumbers.length !== 3) expect(calls).toEqual([]);
  });

  it("refuses a part answered without an ETag", async () => {
    const { deps } = harness({ 1: [""] });
    await expect(uploadParts(presign([1, 2, 3]), obj, new Map(), deps)).rejects.toThrow(/without an ETag/);
  });
});
