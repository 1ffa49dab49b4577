import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3StorageConfig } from "@homecam/shared";
import S3rver from "s3rver";
import { S3StorageDriver } from "../../../src/storage/s3-driver.js";
import { silentLogger } from "../../helpers/logs.js";

// A real S3-compatible server (s3rver) per store a test needs, each with its own bucket and its
// own access key. s3rver checks the access key id but not SigV4 signatures, so the secret is
// never verified by it — tests use a distinctive one to scan responses and logs for.

// s3rver's account registry (the same CommonJS instance s3rver uses): the only access key it knows
// is S3RVER unless one is added here.
const accounts = createRequire(import.meta.url)("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
};

export interface TestS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The driver settings of this store. */
  config: S3StorageConfig;
  /** A driver on this store for the test's own checks (head, delete). */
  driver: S3StorageDriver;
  close(): Promise<void>;
}

export async function startTestS3(bucket: string): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), "hc-s3rver-"));
  const accessKeyId = `AK${randomBytes(6).toString("hex").toUpperCase()}`;
  const secretAccessKey = `secret-${randomBytes(12).toString("hex")}`;
  accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: join(dir, "s3") });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const config: S3StorageConfig = {
    driver: "s3",
    endpoint,
    region: "us-east-1",
    bucket,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
  };
  // The driver does this too; this client may be the process's first (see s3-driver.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const admin = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();
  const driver = new S3StorageDriver(config, { log: silentLogger() });
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    config,
    driver,
    async close() {
      driver.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
