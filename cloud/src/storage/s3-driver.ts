import { randomBytes } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ApiError, type S3StorageConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type Clock, systemClock } from "../security/clock.js";
import { parseObjectKey, probeObjectKey } from "./object-key.js";
import type {
  MultipartUploads,
  ObjectInfo,
  PresignedGet,
  PresignedPut,
  PresignGetOptions,
  PresignPutOptions,
  StorageDriver,
  UploadedPart,
} from "./storage-driver.js";

/** Presigned S3 URLs cannot outlive 7 days (SigV4). */
const MAX_EXPIRES_S = 7 * 24 * 3600;

export interface S3DriverOptions {
  log: Logger;
  clock?: Clock;
  /** SDK attempts per call (the SDK's own back-off between them); 3 unless told. */
  maxAttempts?: number;
}

/** Name (and HTTP status) of an SDK failure, safe to log: never the request or its credentials. */
function describe(err: unknown): { name: string; status?: number | undefined; message: string } {
  if (err instanceof S3ServiceException) {
    return { name: err.name, status: err.$metadata.httpStatusCode, message: err.message };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "unknown", message: String(err) };
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException && (err.name === "NotFound" || err.$metadata.httpStatusCode === 404)
  );
}

/**
 * Any S3-compatible store through @aws-sdk/client-s3. Checksums are `WHEN_REQUIRED`: with the
 * SDK's default, presigned PUT URLs carry the CRC32 of an empty body (real S3 rejects the upload)
 * and streamed bodies are sent aws-chunked (some stores keep the trailer as data).
 */
export class S3StorageDriver implements StorageDriver, MultipartUploads {
  readonly kind = "s3" as const;
  readonly multipart: MultipartUploads = this;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(config: S3StorageConfig, opts: S3DriverOptions) {
    // The SDK warns once per process that Node 20 support ends in 2027; this variable silences
    // exactly that warning and nothing else. An operator's own setting wins.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: opts.maxAttempts ?? 3,
    });
    this.bucket = config.bucket;
    this.log = opts.log;
    this.clock = opts.clock ?? systemClock;
  }

  async presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: parseObjectKey(key),
      ContentType: opts.contentType,
      ...(opts.contentLength !== undefined ? { ContentLength: opts.contentLength } : {}),
    });
    const { url, expiresAt } = await this.presign("presign-put", command, opts.expiresInS);
    return { url, method: "PUT", headers: { "Content-Type": opts.contentType }, expiresAt };
  }

  async presignGet(key: string, opts: PresignGetOptions): Promise<PresignedGet> {
    const name = opts.downloadName;
    if (name !== undefined && !/^[A-Za-z0-9._ -]{1,128}$/.test(name)) {
      throw new ApiError("E_VALIDATION", "invalid download name");
    }
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: parseObjectKey(key),
      ...(name !== undefined ? { ResponseContentDisposition: `attachment; filename="${name}"` } : {}),
    });
    return this.presign("presign-get", command, opts.expiresInS);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const Key = parseObjectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { sizeBytes: out.ContentLength ?? 0, ...(out.ETag ? { etag: out.ETag } : {}) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.failure("head", err);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = parseObjectKey(key);
    await this.call("delete", () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
  }

  async putTest(): Promise<void> {
    const Key = probeObjectKey(randomBytes(8).toString("hex"));
    const probe = randomBytes(32);
    const Bucket = this.bucket;
    await this.call("test-put", () =>
      this.client.send(
        new PutObjectCommand({ Bucket, Key, Body: probe, ContentType: "application/octet-stream" }),
      ),
    );
    try {
      const back = await this.call("test-get", async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket, Key }));
        return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
      });
      if (!back.equals(probe))
        throw this.failure("test-get", new Error("probe object read back differently"));
    } finally {
      await this.call("test-delete", () => this.client.send(new DeleteObjectCommand({ Bucket, Key })));
    }
  }

  async createMultipart(key: string, opts: { contentType: string }): Promise<string> {
    const Key = parseObjectKey(key);
    const out = await this.call("multipart-create", () =>
      this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: opts.contentType }),
      ),
    );
    if (!out.UploadId) throw this.failure("multipart-create", new Error("no UploadId in the answer"));
    return out.UploadId;
  }

  async presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    opts: { expiresInS: number },
  ): Promise<PresignedPut> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new ApiError("E_VALIDATION", "part number must be 1…10000");
    }
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: parseObjectKey(key),
      UploadId: uploadId,
      PartNumber: partNumber,
    });
    const { url, expiresAt } = await this.presign("presign-part", command, opts.expiresInS);
    return { url, method: "PUT", headers: {}, expiresAt };
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const Key = parseObjectKey(key);
    const Parts = [...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
    await this.call("multipart-complete", () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts },
        }),
      ),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const Key = parseObjectKey(key);
    await this.call("multipart-abort", () =>
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })),
    );
  }

  /** Release the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private async presign(
    op: string,
    command: PutObjectCommand | GetObjectCommand | UploadPartCommand,
    expiresInS: number,
  ): Promise<{ url: string; expiresAt: number }> {
    // getSignedUrl is generic over one command type; the union is narrowed for the compiler only.
    const signable = command as PutObjectCommand;
    if (!Number.isInteger(expiresInS) || expiresInS < 1 || expiresInS > MAX_EXPIRES_S) {
      throw new RangeError(`expiresInS must be an integer in 1…${MAX_EXPIRES_S}`);
    }
    const signingDate = new Date(this.clock.now());
    // Presigning is local (no request), but credential resolution can still fail.
    const url = await this.call(op, () =>
      getSignedUrl(this.client, signable, { expiresIn: expiresInS, signingDate }),
    );
    return { url, expiresAt: signingDate.getTime() + expiresInS * 1000 };
  }

  private async call<T>(op: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  /** Log the cause (name, status, message; never the request or credentials) and wrap it. */
  private failure(op: string, err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    const cause = describe(err);
    this.log.warn({ op, bucket: this.bucket, cause }, "storage operation failed");
    const detail = cause.status ? `${cause.name}, HTTP ${cause.status}` : cause.name;
    return new ApiError("E_STORAGE_ERROR", `storage ${op} failed (${detail})`, undefined, { cause: err });
  }
}
