import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeMultipartOnce } from "../../../src/media/upload-plan.js";
import { S3StorageDriver } from "../../../src/storage/s3-driver.js";
import { silentLogger } from "../../helpers/logs.js";

// How a failed multipart complete reaches the agent. s3rver answers 500 for an upload it does not
// know, where S3 answers 404 NoSuchUpload; so this talks to a minimal HTTP server speaking S3's
// error XML, through the real SDK and driver: an upload the storage lost must become E_CONFLICT
// (the agent starts over), a storage fault must stay E_STORAGE_ERROR (the agent retries as is).

const KEY = "devices/dev1/cam/2030-01-01/rec.mp4";
let server: Server;
let endpoint: string;
let answer: { status: number; code: string } = { status: 404, code: "NoSuchUpload" };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      // HEAD: the object does not exist yet; anything else: the configured S3 error.
      if (req.method === "HEAD") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0"?><Error><Code>${answer.code}</Code><Message>no</Message></Error>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("completing a multipart upload the storage refuses", () => {
  const body = {
    recordingId: "rec",
    kind: "clip" as const,
    objectKey: KEY,
    sizeBytes: 9_000_000,
    uploadId: "u1",
    parts: [{ partNumber: 1, etag: '"e1"' }],
  };
  const driver = () =>
    new S3StorageDriver(
      {
        driver: "s3",
        endpoint,
        region: "us-east-1",
        bucket: "clips",
        accessKeyId: "AK",
        secretAccessKey: "SK",
        forcePathStyle: true,
      },
      { log: silentLogger(), maxAttempts: 1 },
    );

  it.each(["NoSuchUpload", "InvalidPart"])("%s → E_CONFLICT", async (code) => {
    answer = { status: code === "NoSuchUpload" ? 404 : 400, code };
    const d = driver();
    await expect(completeMultipartOnce(d, "u1", body, KEY)).rejects.toMatchObject({ code: "E_CONFLICT" });
    d.close();
  });

  it("a storage fault stays E_STORAGE_ERROR, and a foreign uploadId is E_CONFLICT before any call", async () => {
    answer = { status: 500, code: "InternalError" };
    const d = driver();
    await expect(completeMultipartOnce(d, "u1", body, KEY)).rejects.toMatchObject({
      code: "E_STORAGE_ERROR",
    });
    await expect(completeMultipartOnce(d, "u2", body, KEY)).rejects.toMatchObject({ code: "E_CONFLICT" });
    d.close();
  });
});
