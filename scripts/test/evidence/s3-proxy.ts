import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** What the proxy does with each request. */
export type S3Mode = "pass" | "down" | "error500";

export const S3_BUCKET = "evidence";
/** A fresh object each time: the SDK marks a credentials object it was given (`$source`). */
const credentials = () => ({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

/**
 * A real S3-compatible service (s3rver, on disk) behind an HTTP proxy whose mode the test switches:
 * `pass` forwards byte for byte (the Host header too, so SigV4 signatures made for the proxy's
 * address stay valid), `down` resets every connection (the service is unreachable), `error500`
 * answers every request with S3's `InternalError`. The cloud is configured with the proxy as its
 * endpoint, so both its own calls and the agent's presigned PUTs go through it.
 */
export class S3Outage {
  mode: S3Mode = "pass";
  /** Requests answered per mode (each connection reset counts as one `down`). */
  readonly seen: Record<S3Mode, number> = { pass: 0, down: 0, error500: 0 };
  readonly #proxy: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly s3: S3rver,
    readonly s3Port: number,
  ) {
    this.#proxy = createServer((req, res) => {
      if (this.mode === "down") {
        this.seen.down++;
        req.socket.resetAndDestroy();
        return;
      }
      if (this.mode === "error500") {
        this.seen.error500++;
        req.resume();
        res.writeHead(500, { "content-type": "application/xml", connection: "close" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
        );
        return;
      }
      this.seen.pass++;
      const upstream = request(
        { host: "127.0.0.1", port: this.s3Port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    this.#proxy.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
      // Unreachable: the connection is reset before a byte of the request is read.
      if (this.mode === "down") {
        this.seen.down++;
        s.resetAndDestroy();
      }
    });
  }

  static async start(dir: string): Promise<S3Outage> {
    mkdirSync(join(dir, "s3"), { recursive: true });
    const s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: join(dir, "s3") });
    const { port } = (await s3.run()) as AddressInfo;
    const outage = new S3Outage(s3, port);
    outage.#proxy.listen(0, "127.0.0.1");
    await once(outage.#proxy, "listening");
    const admin = outage.#client(`http://127.0.0.1:${port}`);
    await admin.send(new CreateBucketCommand({ Bucket: S3_BUCKET }));
    admin.destroy();
    return outage;
  }

  /** The endpoint the cloud is configured with: the proxy. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.#proxy.address() as AddressInfo).port}`;
  }

  /** The cloud's `storage` settings for this service. */
  storageConfig() {
    return {
      driver: "s3" as const,
      endpoint: this.endpoint,
      bucket: S3_BUCKET,
      region: "us-east-1",
      ...credentials(),
      forcePathStyle: true,
    };
  }

  setMode(mode: S3Mode): void {
    this.mode = mode;
    if (mode === "down") for (const s of this.#sockets) s.resetAndDestroy();
  }

  /** Every object key in the bucket, asked of s3rver directly (not through the proxy). */
  async keys(): Promise<string[]> {
    const client = this.#client(`http://127.0.0.1:${this.s3Port}`);
    try {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: S3_BUCKET, ...(token && { ContinuationToken: token }) }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    } finally {
      client.destroy();
    }
  }

  #client(endpoint: string): S3Client {
    return new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: credentials() });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#proxy.close(resolve));
    await this.s3.close();
  }
}
