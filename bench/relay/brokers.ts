// The two brokers under test, each in its own process, behind one interface: how to reach it, how
// its clients log in, its pid for /proc, and how to stop it.
//
// homecam: aedes-child.ts (the cloud's startBroker) under tsx. Devices log in with their key.
// Mosquitto: Debian's binary with a generated config; anonymous clients (it has no device auth).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IClientOptions } from "mqtt";
import type { ChildReply, ChildRequest, MemoryProbe } from "./aedes-child.js";
import { requirePid, startTsChild, stopProcess, tail } from "./children.js";
import type { BenchDevice } from "./devices.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD_TS = fileURLToPath(new URL("./aedes-child.ts", import.meta.url));

export const DEFAULT_MOSQUITTO = "/usr/sbin/mosquitto";

export type BrokerKind = "homecam" | "mosquitto";

/** A running broker process. */
export interface BrokerUnderTest {
  kind: BrokerKind;
  /** Name and version, for the report. */
  label: string;
  /** The broker's process, for /proc. */
  pid: number;
  url: string;
  /** Connect options of a device (client id = device id; homecam: a fresh token as password). */
  deviceLogin(device: BenchDevice): Promise<IClientOptions>;
  /** Connect options of the cloud-side subscriber (homecam: the service identity). */
  serviceLogin(suffix: string): IClientOptions;
  /** Heap figures from inside the process after a full GC; homecam only. */
  probe?: () => Promise<MemoryProbe>;
  /** Ask the process to end; SIGKILL if it does not within a few seconds. Idempotent. */
  stop(): Promise<void>;
}

/** Start the homecam broker child; `exposeGc` lets its memory probe collect garbage first. */
export async function startHomecamBroker(opts: { exposeGc?: boolean } = {}): Promise<BrokerUnderTest> {
  const { child, ready, pid } = await startTsChild<Extract<ChildReply, { type: "ready" }>>(
    CHILD_TS,
    "homecam broker child",
    opts.exposeGc ? ["--expose-gc"] : [],
  );
  const request = (msg: ChildRequest) => child.send(msg);
  return {
    kind: "homecam",
    label: `homecam (aedes ${packageVersion("aedes")} + ACL + validation)`,
    pid,
    url: `mqtt://127.0.0.1:${ready.port}`,
    async deviceLogin(device) {
      return { clientId: device.id, username: device.id, password: await device.token() };
    },
    serviceLogin: (suffix) => ({
      clientId: `homecam-cloud:${suffix}`,
      username: ready.service.username,
      password: ready.service.password,
    }),
    probe: () =>
      new Promise<MemoryProbe>((resolve, reject) => {
        const onMessage = (msg: ChildReply) => {
          if (msg.type !== "mem") return;
          child.off("message", onMessage);
          const { type: _type, ...probe } = msg;
          resolve(probe);
        };
        child.on("message", onMessage);
        if (!request({ type: "mem" })) {
          child.off("message", onMessage);
          reject(new Error("homecam broker child is gone"));
        }
      }),
    async stop() {
      await stopProcess(child, child.connected && request({ type: "stop" }));
    },
  };
}

/** Start Mosquitto on a free loopback port with persistence off and anonymous access. */
export async function startMosquitto(binary = DEFAULT_MOSQUITTO): Promise<BrokerUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), "homecam-bench-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  await writeFile(conf, mosquittoConfig(port));
  const child = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  const stderr = tail(child);
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  try {
    await Promise.race([waitForListener(port, child, stderr), spawnError]);
  } catch (err) {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mosquitto (${binary}) did not start: ${(err as Error).message}`);
  }
  return {
    kind: "mosquitto",
    label: `Mosquitto ${mosquittoVersion(binary)} (anonymous)`,
    pid: requirePid(child),
    url: `mqtt://127.0.0.1:${port}`,
    deviceLogin: async (device) => ({ clientId: device.id }),
    serviceLogin: (suffix) => ({ clientId: `homecam-cloud:${suffix}` }),
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Mosquitto's config. `max_queued_messages 0` lifts the default per-client queue of 1,000 QoS 1
 * messages, above which Mosquitto silently drops: aedes has no such cap, and the subscriber must
 * get every message. Everything else is the default.
 */
export function mosquittoConfig(port: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "persistence false",
    "max_queued_messages 0",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "",
  ].join("\n");
}

/** `2.0.11` from `mosquitto -h`'s first line, or "?". */
function mosquittoVersion(binary: string): string {
  const out = spawnSync(binary, ["-h"], { encoding: "utf8" });
  return /version (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? "?";
}

/** Version of an installed package, or "?". */
export function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"));
    return String(pkg.version);
  } catch {
    return "?";
  }
}

/** A port free right now: bind port 0 on loopback, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll until something accepts TCP connections on `port`, or the process dies. */
async function waitForListener(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}): ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port} after 10 s: ${stderr()}`);
}
