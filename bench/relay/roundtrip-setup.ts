// Part 3's moving parts, assembled as the product assembles them: the cloud in its own process
// (cloud-child.ts), the agent's real cloud link in this process (device identity on disk, CloudApi,
// MqttLink, CommandHandler over the bench camera), and a user paired to the device through the REST
// API the way the apps do it (register → the device opens a pairing session → the user claims it).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  activeConnectionsSchema,
  connectionEstablishedSchema,
  type PairingSession,
  pairingSessionSchema,
  sessionSchema,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { z } from "zod";
import { CloudApi } from "../../agent/src/cloud/cloud-api.js";
import { CommandHandler } from "../../agent/src/cloud/command-handler.js";
import { MqttLink } from "../../agent/src/cloud/mqtt-link.js";
import { loadOrCreateDeviceIdentity } from "../../agent/src/identity/device-identity.js";
import { BenchCameraControl } from "./bench-camera.js";
import { startTsChild, stopProcess } from "./children.js";
import type { CloudChildRequest, CloudReady } from "./cloud-child.js";

const CHILD_TS = fileURLToPath(new URL("./cloud-child.ts", import.meta.url));
/** How long setup steps (connect, camera registration, presence) may take before the run fails. */
const SETUP_TIMEOUT_MS = 20_000;

/** The cloud process under test. */
export interface CloudProcess {
  url: string;
  mqttUrl: string;
  /** For /proc. */
  pid: number;
  /** Ask it to stop; SIGKILL if it does not within a few seconds. Idempotent. */
  stop(): Promise<void>;
}

/** Start cloud-child.ts and wait until its HTTP and MQTT listeners are up. */
export async function startCloudProcess(): Promise<CloudProcess> {
  const { child, ready, pid } = await startTsChild<CloudReady>(CHILD_TS, "cloud child");
  const request = (msg: CloudChildRequest) => child.connected && child.send(msg);
  return {
    url: ready.url,
    mqttUrl: ready.mqttUrl,
    pid,
    stop: () => stopProcess(child, request({ type: "stop" })),
  };
}

/** The agent's cloud link, connected, with its cameras registered. */
export interface BenchAgent {
  deviceId: string;
  /** The device's REST client (fresh device token per call). */
  api: CloudApi;
  link: MqttLink;
  /** Disconnect cleanly and remove the state directory. */
  stop(): Promise<void>;
}

/** Start the agent's link against `cloud` and wait until it is connected and registered. */
export async function startBenchAgent(cloud: CloudProcess, log: Logger): Promise<BenchAgent> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-agent-"));
  const identity = await loadOrCreateDeviceIdentity(stateDir);
  const api = new CloudApi({ baseUrl: cloud.url, identity });
  const control = new BenchCameraControl();
  const link = new MqttLink({
    url: cloud.mqttUrl,
    identity,
    api,
    control,
    commands: new CommandHandler({ control, log }),
    agentVersion: "bench",
    log,
  });
  const stop = async () => {
    await link.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    await link.start();
    const cameras = control.allSettings().length;
    await waitFor(
      () => link.connected && link.registeredCameras.length === cameras,
      () =>
        `link connected ${link.connected}, ${link.registeredCameras.length}/${cameras} cameras registered`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { deviceId: identity.deviceId, api, link, stop };
}

/** What pairing needs of a device: its id and a REST client signing with its key. */
export interface PairableDevice {
  deviceId: string;
  api: Pick<CloudApi, "call">;
}

/** Register a user through the REST API; resolves with their `Authorization` header value. */
export async function registerUser(cloud: CloudProcess): Promise<string> {
  const session = sessionSchema.parse(
    await rest(cloud.url, "POST", "/api/auth/register", undefined, {
      email: `bench-${Date.now()}@example.com`,
      password: "bench relay round trip",
      name: "Bench User",
      agreeTerms: true,
      agreePrivacy: true,
    }),
  );
  return `Bearer ${session.accessToken}`;
}

/**
 * Pair `device` to the user as the apps do (the device opens a pairing session with its own token,
 * the user claims it with the PIN and the QR's pairing id), then wait until the cloud sees the
 * device online (the relay refuses commands to an offline device) with its cameras registered.
 * Resolves with the first camera's cloud id. With `cameraOnline`, that camera's status must be
 * "online" too; a camera whose status never changes stays "unknown" in the cloud until the next
 * telemetry (up to 30 s), because the status the agent published before its cameras were
 * registered matched no camera row.
 */
export async function pairDevice(
  cloud: CloudProcess,
  authorization: string,
  device: PairableDevice,
  opts: { cameraOnline?: boolean; timeoutMs?: number } = {},
): Promise<string> {
  const pairing: PairingSession = pairingSessionSchema.parse(
    await device.api.call("POST", "/api/qr/generate", {}),
  );
  const paired = connectionEstablishedSchema.parse(
    await rest(cloud.url, "POST", "/api/connection/establish", authorization, {
      pairingId: pairing.pairingId,
      pin: pairing.pin,
    }),
  );
  if (paired.role !== "owner") throw new Error(`pairing gave role ${paired.role}, not owner`);
  let seen = "not listed";
  let cameraId: string | undefined;
  await waitFor(
    async () => {
      const active: z.output<typeof activeConnectionsSchema> = activeConnectionsSchema.parse(
        await rest(cloud.url, "GET", "/api/connection/active", authorization),
      );
      const entry = active.find((c) => c.deviceId === device.deviceId);
      if (entry) seen = `${entry.status}, cameras ${JSON.stringify(entry.cameras.map((c) => c.status))}`;
      const camera = entry?.status === "online" ? entry.cameras[0] : undefined;
      cameraId = opts.cameraOnline && camera?.status !== "online" ? undefined : camera?.id;
      return cameraId !== undefined;
    },
    () => `device in the cloud: ${seen}`,
    opts.timeoutMs,
  );
  return cameraId as string;
}

/** A JSON REST call; resolves with the envelope's `data`, throws on an error envelope. */
async function rest(
  base: string,
  method: string,
  path: string,
  authorization?: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(authorization && { authorization }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const envelope = (await res.json()) as { ok?: boolean; data?: unknown; error?: { code?: string } };
  if (!res.ok || envelope.ok !== true) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${envelope.error?.code ?? "(no code)"}`);
  }
  return envelope.data;
}

/** Poll `done` (sync or async) until true; fail after `timeoutMs` with `describe()`. */
async function waitFor(
  done: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = SETUP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`setup timed out after ${timeoutMs / 1000} s: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
