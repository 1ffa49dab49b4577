import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3StorageConfig } from "@homecam/shared";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage } from "../../../src/storage/create-storage.js";
import { S3StorageDriver } from "../../../src/storage/s3-driver.js";
import { captureLogger } from "../../helpers/logs.js";
import { makeTestMp4, patternBytes } from "./storage-fixtures.js";

// The s3 driver against s3rver, a real S3-compatible HTTP server. s3rver does NOT verify
// signatures or expiry of presigned URLs (it accepts a forged signature), so those properties are
// tested on the fs driver; here we check what S3 semantics s3rver does implement: bytes in equal
// bytes out (no checksum trailer or empty-body CRC baked into URLs), multipart, head/delete, and
// failures mapped to E_STORAGE_ERROR without leaking the secret.

const BUCKET = "homecam-clips";
const SECRET = "S3RVER";
let dir: string;
let s3rver: S3rver;
let endpoint: string;
let mp4: Buffer;
const logs = captureLogger();
const now = Date.UTC(2030, 0, 1);
const clock = { now: () => now };
let driver: S3StorageDriver;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

function config(over: Partial<S3StorageConfig> = {}): S3StorageConfig {
  return {
    driver: "s3",
    endpoint,
    region: "us-east-1",
    bucket: BUCKET,
    accessKeyId: "S3RVER",
    secretAccessKey: SECRET,
    forcePathStyle: true,
    ...over,
  };
}

async function putVia(
  url: string,
  headers: Record<string, string>,
  body: Buffer | ReadableStream<Uint8Array>,
): Promise<Response> {
  const init: RequestInit & { duplex?: "half" } = { method: "PUT", headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  return fetch(url, init);
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hc-s3-storage-"));
  mp4 = await makeTestMp4(dir);
  s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: join(dir, "s3") });
  const { port } = (await s3rver.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;
  process.on("warning", onWarning);
  // Built before any other SDK client: the driver is what silences the Node-version warning.
  driver = new S3StorageDriver(config(), { log: logs.log, clock });
  const admin = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: SECRET },
  });
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  admin.destroy();
});

afterAll(async () => {
  process.off("warning", onWarning);
  driver?.close();
  await s3rver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("s3 storage driver (s3rver)", () => {
  it("presigned PUT then presigned GET returns the same MP4", async () => {
    const key = "devices/dev1/cam1/clip.mp4";
    const put = await driver.presignPut(key, {
      contentType: "video/mp4",
      contentLength: mp4.length,
      expiresInS: 300,
    });
    expect(put.expiresAt).toBe(now + 300_000);
    expect(put.headers).toEqual({ "Content-Type": "video/mp4" });
    // WHEN_REQUIRED: no checksum of an (empty) body is baked into the URL.
    expect(put.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    expect((await putVia(put.url, put.headers, mp4)).status).toBe(200);

    const get = await driver.presignGet(key, { expiresInS: 60, downloadName: "clip.mp4" });
    expect(get.expiresAt).toBe(now + 60_000);
    const res = await fetch(get.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="clip.mp4"');
    expect(Buffer.from(await res.arrayBuffer()).equals(mp4)).toBe(true);
    expect(await driver.head(key)).toMatchObject({
      sizeBytes: mp4.length,
      etag: expect.stringMatching(/^"/),
    });
    expect(warnings.filter((w) => w.includes("NodeVersionSupportWarning"))).toEqual([]);
  });

  it("stores a streamed 1.5 MB body without corruption", async () => {
    const key = "devices/dev1/cam1/streamed.bin";
    const body = patternBytes(1_500_000, 42);
    const put = await driver.presignPut(key, { contentType: "application/octet-stream", expiresInS: 300 });
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.subarray(offset, offset + 64 * 1024));
        offset += 64 * 1024;
      },
    });
    expect((await putVia(put.url, put.headers, stream)).status).toBe(200);
    const back = await download((await driver.presignGet(key, { expiresInS: 60 })).url);
    expect(back.length).toBe(body.length);
    expect(back.equals(body)).toBe(true);
  });

  it("assembles a 12 MB multipart upload from three presigned part URLs", async () => {
    expect(driver.multipart).toBe(driver);
    const key = "devices/dev1/cam1/long.mp4";
    const body = patternBytes(12 * 1024 * 1024 + 12_345, 7);
    const partSize = 5 * 1024 * 1024;
    const uploadId = await driver.createMultipart(key, { contentType: "video/mp4" });
    const parts = [];
    for (let i = 0; i * partSize < body.length; i++) {
      const part = await driver.presignPart(key, uploadId, i + 1, { expiresInS: 300 });
      const res = await putVia(part.url, part.headers, body.subarray(i * partSize, (i + 1) * partSize));
      expect(res.status).toBe(200);
      parts.push({ partNumber: i + 1, etag: res.headers.get("etag") ?? "" });
    }
    expect(parts).toHaveLength(3);
    // Out of order on purpose: the driver sorts by part number.
    await driver.completeMultipart(
      key,
      uploadId,
      [parts[2], parts[0], parts[1]].filter((p) => p !== undefined),
    );
    expect((await driver.head(key))?.sizeBytes).toBe(body.length);
    expect((await download((await driver.presignGet(key, { expiresInS: 60 })).url)).equals(body)).toBe(true);

    // s3rver 3.7 does not implement AbortMultipartUpload (it answers 405): this only shows that
    // the refusal surfaces as E_STORAGE_ERROR and that an unfinished upload is not an object.
    const abortKey = "devices/dev1/cam1/aborted.mp4";
    const aborted = await driver.createMultipart(abortKey, { contentType: "video/mp4" });
    await expect(driver.abortMultipart(abortKey, aborted)).rejects.toMatchObject({ code: "E_STORAGE_ERROR" });
    expect(await driver.head(abortKey)).toBeNull();
  });

  it("heads and deletes objects; deleting a missing one is fine", async () => {
    const key = "devices/dev1/cam1/thumb.jpg";
    const put = await driver.presignPut(key, { contentType: "image/jpeg", expiresInS: 60 });
    expect((await putVia(put.url, put.headers, Buffer.from("jpeg bytes"))).status).toBe(200);
    expect((await driver.head(key))?.sizeBytes).toBe(10);
    await driver.delete(key);
    expect(await driver.head(key)).toBeNull();
    await driver.delete(key);
    await expect(driver.presignGet("devices/dev1/../x", { expiresInS: 60 })).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
  });

  it("passes putTest with good settings (built by createStorage)", async () => {
    const built = await createStorage(config(), { stateDir: dir, publicUrl: "http://x", log: logs.log });
    expect(built.kind).toBe("s3");
    await built.putTest();
    (built as S3StorageDriver).close();
  });

  it("fails putTest with E_STORAGE_ERROR for a wrong bucket, wrong key or dead endpoint, never leaking the secret", async () => {
    const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzz-secret";
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const bad = [
      config({ bucket: "no-such-bucket", secretAccessKey: secret }),
      config({ accessKeyId: "NOT-A-KEY", secretAccessKey: secret }),
      config({ endpoint: `http://127.0.0.1:${closedPort}`, secretAccessKey: secret }),
    ];
    const before = logs.lines.length;
    for (const c of bad) {
      const d = new S3StorageDriver(c, { log: logs.log, maxAttempts: 1 });
      const err = await d.putTest().catch((e: unknown) => e);
      d.close();
      expect(err, c.bucket).toMatchObject({ code: "E_STORAGE_ERROR", status: 502 });
      expect(String((err as Error).message)).not.toContain(secret);
    }
    const logged = JSON.stringify(logs.lines.slice(before));
    expect(logs.lines.length).toBeGreaterThan(before);
    expect(logged).toContain("NoSuchBucket");
    expect(logged).toContain("InvalidAccessKeyId");
    expect(logged).not.toContain(secret);
  });
});
