import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigSchema, type StorageConfigInput } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import pino from "pino";
import { CloudApi } from "../../../agent/src/cloud/cloud-api.js";
import { loadOrCreateDeviceIdentity } from "../../../agent/src/identity/device-identity.js";
import { type RunningCloud, startCloud } from "../../../cloud/src/main.js";
import { CloudClient, type TestUser } from "../e2e/cloud-client.js";
import { freePort } from "../e2e/processes.js";

/**
 * A real cloud (its sources, in this process: the embedded aedes broker, SQLite in a temp dir,
 * the fs storage driver unless told otherwise) on free ports, and a fresh agent state directory
 * whose device key is already paired to a registered owner — pairing first means the agent
 * process, once started, is a paired device from its first connection.
 */
export interface CloudWorld {
  cloud: RunningCloud;
  client: CloudClient;
  owner: TestUser;
  deviceId: string;
  /** Root of every temporary file of this world. */
  dir: string;
  cloudDir: string;
  /** The agent's stateDir (its device key is already in it). */
  agentStateDir: string;
  /** The cloud's SQLite file. */
  cloudDbFile: string;
  /** Where the fs driver keeps its objects. */
  objectsDir: string;
  /** The cloud's recent warnings and errors, for failure reports. */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function startCloudWorld(
  name: string,
  opts: { storage?: StorageConfigInput } = {},
): Promise<CloudWorld> {
  const dir = mkdtempSync(join(tmpdir(), `hc-evidence-${name}-`));
  const cloudDir = join(dir, "cloud");
  const agentStateDir = join(dir, "agent");
  // The fs driver signs URLs against http.publicUrl, so the port is picked before the start.
  const port = await freePort();
  const config = cloudConfigSchema.parse({
    stateDir: cloudDir,
    http: { host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}` },
    mqtt: { host: "127.0.0.1", port: 0 },
    ...(opts.storage && { storage: opts.storage }),
  });
  mkdirSync(cloudDir, { recursive: true });
  // Warnings and errors only, to a file the tests print when they fail.
  const logFile = join(dir, "cloud.log");
  const destination = pino.destination({ dest: logFile, sync: true });
  const cloud = await startCloud({
    config,
    log: createLogger({ name: "cloud", level: "warn", destination }),
  });
  try {
    const client = new CloudClient(cloud.url);
    const owner = await client.register(`owner-${name}`);
    const identity = await loadOrCreateDeviceIdentity(agentStateDir);
    const api = new CloudApi({ baseUrl: cloud.url, identity });
    const session = await api.call<{ pairingId: string; pin: string }>("POST", "/api/qr/generate", {});
    const { paired } = await client.claim(owner, session);
    return {
      cloud,
      client,
      owner,
      deviceId: paired.deviceId,
      dir,
      cloudDir,
      agentStateDir,
      cloudDbFile: join(cloudDir, "cloud.db"),
      objectsDir: join(cloudDir, "objects"),
      logTail: (lines = 30) => tail(logFile, lines),
      async close() {
        await cloud.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cloud.stop();
    throw err;
  }
}
