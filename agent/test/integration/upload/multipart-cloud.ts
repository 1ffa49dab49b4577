import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  type MediaCompleteBody,
  type MediaPresignBody,
  MULTIPART_PART_BYTES,
  MULTIPART_THRESHOLD_BYTES,
  mediaCompleteBodySchema,
  mediaPresignBodySchema,
} from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import S3rver from "s3rver";
import { S3StorageDriver } from "../../../../cloud/src/storage/s3-driver.js";

// A small stand-in for the cloud's media routes, in front of a REAL S3-compatible server: the
// cloud's own S3StorageDriver (checksums WHEN_REQUIRED) presigns single PUTs, creates multipart
// uploads and presigns their parts, and assembles them on complete. Between the agent and s3rver
// sits a counting proxy, so the tests see every part PUT the storage received (and can fail or
// hold one). Device tokens are not checked here: that is the real cloud's business.

const BUCKET = "homecam-clips";

/** One `POST /api/media/presign` as the test cloud received it and what it answered. */
export interface SeenPresign {
  body: MediaPresignBody;
  answered: "single" | "multipart" | "E_CONFLICT";
  uploadId?: string;
}

/** One part PUT as the storage proxy saw it. */
export interface SeenPartPut {
  partNumber: number;
  uploadId: string;
  /** 0 = never answered (held, then abandoned by the agent). */
  status: number;
}

export interface MultipartCloud {
  /** Base URL of the media routes (for CloudApi). */
  url: string;
  presigns: SeenPresign[];
  completes: MediaCompleteBody[];
  partPuts: SeenPartPut[];
  singlePuts: number;
  /** PUTs whose connection is still open (being received, or held). */
  readonly openPuts: number;
  /** The next PUT of part `n` is answered `status` without reaching the storage. */
  failPartOnce(n: number, status: number): void;
  /** The next PUT of part `n` is never answered (the agent gives up on it). */
  holdPartOnce(n: number): void;
  /** Part PUTs being held right now. */
  readonly held: number;
  /** Forget every multipart upload: presign resuming one (or complete) answers E_CONFLICT. */
  forgetUploads(): void;
  objectKey(recordingId: string, kind: "clip" | "thumbnail"): string;
  /** sha256 (hex) of the stored object, or null when there is none. */
  objectSha256(key: string): Promise<string | null>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

function send(res: ServerResponse, status: number, envelope: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(envelope));
}

const conflict = (res: ServerResponse, message: string) =>
  send(res, 409, { ok: false, error: { code: "E_CONFLICT", message } });

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export async function startMultipartCloud(): Promise<MultipartCloud> {
  const dir = await mkdtemp(join(tmpdir(), "hc-multipart-cloud-"));
  const s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: join(dir, "s3") });
  const s3Port = ((await s3rver.run()) as AddressInfo).port;

  const partPuts: SeenPartPut[] = [];
  const failOnce = new Map<number, number>();
  const holdOnce = new Set<number>();
  const holding = new Set<IncomingMessage>();
  let singlePuts = 0;
  let openPuts = 0;

  // The storage proxy: forwards everything to s3rver, counting (and failing, holding) part PUTs.
  const proxy = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const partNumber = Number(url.searchParams.get("partNumber") ?? 0);
    const seen: SeenPartPut | undefined = partNumber
      ? { partNumber, uploadId: url.searchParams.get("uploadId") ?? "", status: 0 }
      : undefined;
    if (seen && req.method === "PUT") partPuts.push(seen);
    else if (req.method === "PUT") singlePuts++;
    if (req.method === "PUT") {
      openPuts++;
      res.on("close", () => openPuts--);
    }
    if (seen && holdOnce.delete(partNumber)) {
      // Counted until the connection goes (the request's own 'close' comes once its body is read).
      holding.add(req);
      res.on("close", () => holding.delete(req));
      req.resume();
      return;
    }
    const failure = seen ? failOnce.get(partNumber) : undefined;
    if (seen && failure !== undefined) {
      failOnce.delete(partNumber);
      req.resume();
      req.on("end", () => {
        seen.status = failure;
        res
          .writeHead(failure, { "content-type": "application/xml" })
          .end("<Error><Code>InternalError</Code></Error>");
      });
      return;
    }
    const upstream = request(
      { host: "127.0.0.1", port: s3Port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (seen) seen.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    // A PUT the agent abandons must not leave s3rver waiting for the rest of its body.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  const storageUrl = await listen(proxy);

  const driver = new S3StorageDriver(
    {
      driver: "s3",
      endpoint: storageUrl,
      region: "us-east-1",
      bucket: BUCKET,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    },
    { log: createLogger({ name: "test", level: "silent" }) },
  );
  // After the driver, which is what silences the SDK's Node-version warning.
  const admin = new S3Client({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${s3Port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  admin.destroy();

  const presigns: SeenPresign[] = [];
  const completes: MediaCompleteBody[] = [];
  /** Multipart uploads the storage holds: upload id → object key. */
  const uploads = new Map<string, string>();
  const objectKey = (recordingId: string, kind: "clip" | "thumbnail") =>
    `devices/dev1/${recordingId}.${kind === "clip" ? "mp4" : "jpg"}`;

  async function presign(body: MediaPresignBody, res: ServerResponse): Promise<void> {
    const key = objectKey(body.recordingId, body.kind);
    if (body.sizeBytes <= MULTIPART_THRESHOLD_BYTES) {
      presigns.push({ body, answered: "single" });
      const put = await driver.presignPut(key, {
        contentType: body.contentType,
        contentLength: body.sizeBytes,
        expiresInS: 900,
      });
      return send(res, 200, { ok: true, data: { mode: "single", objectKey: key, ...put } });
    }
    if (body.uploadId !== undefined && uploads.get(body.uploadId) !== key) {
      presigns.push({ body, answered: "E_CONFLICT" });
      return conflict(res, "unknown or expired upload");
    }
    const uploadId = body.uploadId ?? (await driver.createMultipart(key, { contentType: body.contentType }));
    uploads.set(uploadId, key);
    presigns.push({ body, answered: "multipart", uploadId });
    const count = Math.ceil(body.sizeBytes / MULTIPART_PART_BYTES);
    const parts = [];
    for (let n = 1; n <= count; n++) {
      parts.push({ partNumber: n, ...(await driver.presignPart(key, uploadId, n, { expiresInS: 900 })) });
    }
    send(res, 200, {
      ok: true,
      data: { mode: "multipart", objectKey: key, uploadId, partSizeBytes: MULTIPART_PART_BYTES, parts },
    });
  }

  async function complete(body: MediaCompleteBody, res: ServerResponse): Promise<void> {
    completes.push(body);
    if (body.uploadId !== undefined) {
      if (uploads.get(body.uploadId) !== body.objectKey) return conflict(res, "unknown upload");
      await driver.completeMultipart(body.objectKey, body.uploadId, body.parts ?? []);
      uploads.delete(body.uploadId);
    }
    const info = await driver.head(body.objectKey);
    if (info?.sizeBytes !== body.sizeBytes) return conflict(res, "object missing or of another size");
    send(res, 200, { ok: true, data: { uploaded: true, objectKey: body.objectKey } });
  }

  const api = createServer((req, res) => {
    const route = `${req.method} ${req.url}`;
    readJson(req)
      .then(async (json) => {
        if (route === "POST /api/media/presign") return presign(mediaPresignBodySchema.parse(json), res);
        if (route === "POST /api/media/complete") return complete(mediaCompleteBodySchema.parse(json), res);
        send(res, 404, { ok: false, error: { code: "E_NOT_FOUND", message: route } });
      })
      .catch((err: unknown) =>
        send(res, 500, { ok: false, error: { code: "E_INTERNAL", message: String(err) } }),
      );
  });
  const url = await listen(api);

  return {
    url,
    presigns,
    completes,
    partPuts,
    get singlePuts() {
      return singlePuts;
    },
    get openPuts() {
      return openPuts;
    },
    get held() {
      return holding.size;
    },
    failPartOnce: (n, status) => void failOnce.set(n, status),
    holdPartOnce: (n) => void holdOnce.add(n),
    forgetUploads: () => uploads.clear(),
    objectKey,
    async objectSha256(key) {
      if (!(await driver.head(key))) return null;
      const res = await fetch((await driver.presignGet(key, { expiresInS: 60 })).url);
      const hash = createHash("sha256");
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
      return hash.digest("hex");
    },
    async close() {
      for (const req of holding) req.destroy();
      driver.close();
      await new Promise<void>((resolve) => api.close(() => resolve()));
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
