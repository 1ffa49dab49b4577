import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  activeConnectionsSchema,
  cameraCommandResultSchema,
  cameraListSchema,
  cameraSettingsSchema,
  encodeMessage,
  pairingSessionSchema,
  topics,
} from "@homecam/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CloudClient, errorCode, type TestUser } from "./e2e/cloud-client.js";
import { Deployment, TEST_CAMERA } from "./e2e/deployment.js";
import { hasJpegMarkers, probeImage } from "./e2e/jpeg-probe.js";
import { createDeviceKey, mosquitto, publishOnce, subscribeOnce } from "./e2e/mosquitto.js";
import { measureOffline } from "./e2e/offline-watch.js";
import { processesMentioning, waitFor } from "./e2e/processes.js";
import { deviceStatus, ViewerSocket } from "./e2e/viewer-socket.js";

// Issue 6 "Done when", end to end: the built cloud and agent (dist/; `npm test` builds first) as
// separate processes on free ports, a synthetic camera, real HTTP, WebSocket, MQTT and ffprobe.
// The steps build on each other and run in order. Beyond kill -9 (whose socket the kernel closes at
// once), a frozen agent (SIGSTOP) checks the keep-alive path the 1.5 × keep-alive bound is about.

/** The agent's MQTT keep-alive (agent/src/cloud/mqtt-connection.ts default), seconds. */
const KEEPALIVE_S = 30;
/** The spec: a dead agent is offline within 1.5 × keep-alive + 2 s. */
const OFFLINE_BOUND_MS = 1.5 * KEEPALIVE_S * 1000 + 2000;

const dir = mkdtempSync(join(tmpdir(), "hc-e2e-"));
let deployment: Deployment;
let cloud: CloudClient;
let owner: TestUser;
let viewer: TestUser;
let deviceId: string;
let cameraId: string;
let ownerSocket: ViewerSocket;
/** Figures printed at the end (latencies, sizes). */
const measured: Record<string, string> = {};

const asOwner = () => ({ token: owner.accessToken });
const asViewer = () => ({ token: viewer.accessToken });
const ms = (n: number) => `${n.toFixed(0)} ms`;

const camerasOf = (user: TestUser) =>
  cloud.data(cameraListSchema, "GET", "/api/cameras", { token: user.accessToken });

/** The device's presence as `GET /api/connection/active` shows it to the owner. */
async function presence(): Promise<string | undefined> {
  const list = await cloud.data(activeConnectionsSchema, "GET", "/api/connection/active", asOwner());
  return list.find((d) => d.deviceId === deviceId)?.status;
}

/** What {@link measureOffline} watches: the owner's socket and `/api/connection/active`. */
const offlineWatch = () => ({
  socket: ownerSocket,
  cloud,
  ownerToken: owner.accessToken,
  deviceId,
  timeoutMs: OFFLINE_BOUND_MS + 5000,
});

beforeAll(async () => {
  deployment = await Deployment.start(dir);
  cloud = new CloudClient(deployment.cloudUrl);
}, 90_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`programs' output:\n${deployment?.logs() ?? "(not started)"}`));
});

afterAll(() => {
  ownerSocket?.close();
  deployment?.killLeftovers();
  const lines = Object.entries(measured).map(([k, v]) => `  ${k}: ${v}`);
  console.log(`rendezvous e2e figures:\n${lines.join("\n")}`);
  rmSync(dir, { recursive: true, force: true });
});

describe("rendezvous end to end: real cloud, real agent", () => {
  it("registers an owner and a second user", async () => {
    owner = await cloud.register("owner");
    viewer = await cloud.register("viewer");
    expect(owner.userId).not.toBe(viewer.userId);
  });

  it("pairs with `homecam pair --json`: first claimer owner, second viewer; the camera is listed", async () => {
    const first = await deployment.pair();
    const claimed = await cloud.claim(owner, first.session);
    measured["pair --json / establish (owner)"] = `${ms(first.ms)} / ${ms(claimed.ms)}`;
    expect(claimed.paired.role).toBe("owner");
    deviceId = claimed.paired.deviceId;

    const second = await deployment.pair();
    expect(second.session.pairingId).not.toBe(first.session.pairingId);
    const joined = await cloud.claim(viewer, second.session);
    measured["pair --json / establish (viewer)"] = `${ms(second.ms)} / ${ms(joined.ms)}`;
    expect(joined.paired).toMatchObject({ deviceId, role: "viewer" });

    // The agent registers its cameras when it connects; wait until the cloud lists it.
    const camera = await waitFor("the synthetic camera in GET /api/cameras", async () =>
      (await camerasOf(owner)).find((c) => c.localId === TEST_CAMERA.localId),
    );
    expect(camera).toMatchObject({ deviceId, name: TEST_CAMERA.name, sourceKind: "test", role: "owner" });
    cameraId = camera.id;
    expect((await camerasOf(viewer)).map((c) => [c.id, c.role])).toEqual([[cameraId, "viewer"]]);
  }, 60_000);

  it("shows the device online on the owner's viewer WebSocket and in /api/connection/active", async () => {
    ownerSocket = await ViewerSocket.open(deployment.cloudUrl, owner.accessToken);
    const online = await ownerSocket.next("device.status online", deviceStatus(deviceId, "online"));
    const cameras = online.event.type === "device.status" ? online.event.cameras : [];
    expect(cameras.map((c) => c.id)).toContain(cameraId);
    expect(await presence()).toBe("online");
    expect(ownerSocket.invalid).toEqual([]);
  }, 60_000);

  it("relays a snapshot: a real JPEG at the test source's size; viewers may snapshot but not change settings", async () => {
    const started = performance.now();
    const snap = await cloud.snapshotWhenReady(cameraId, owner);
    measured["first snapshot (incl. waiting for video)"] = ms(performance.now() - started);
    expect(snap.status, JSON.stringify(snap.json)).toBe(200);
    expect(snap.headers.get("content-type")).toBe("image/jpeg");
    measured["snapshot size"] = `${snap.bytes.length} bytes (${TEST_CAMERA.width}x${TEST_CAMERA.height})`;
    expect(hasJpegMarkers(snap.bytes)).toBe(true);
    const { width, height } = TEST_CAMERA;
    expect(probeImage(snap.bytes)).toEqual({ codec: "mjpeg", width, height });

    const again = performance.now();
    const viewerSnap = await cloud.call("GET", `/api/cameras/${cameraId}/snapshot`, asViewer());
    measured["snapshot round trip (viewer, camera warm)"] = ms(performance.now() - again);
    expect(viewerSnap.status).toBe(200);
    expect(hasJpegMarkers(viewerSnap.bytes)).toBe(true);
    const viewerPut = await cloud.call("PUT", `/api/cameras/${cameraId}/settings`, {
      ...asViewer(),
      body: { motion: { sensitivity: 99 } },
    });
    expect([viewerPut.status, errorCode(viewerPut)]).toEqual([403, "E_FORBIDDEN"]);
  }, 60_000);

  it("changes a setting through the agent, which still reports it after a camera restart", async () => {
    const path = `/api/cameras/${cameraId}/settings`;
    const before = await cloud.data(cameraSettingsSchema, "GET", path, asOwner());
    expect(before.motion.sensitivity).not.toBe(10);
    const put = await cloud.data(cameraSettingsSchema, "PUT", path, {
      ...asOwner(),
      body: { motion: { sensitivity: 10 } },
    });
    expect(put.motion).toEqual({ ...before.motion, sensitivity: 10 });
    const read = await cloud.data(cameraSettingsSchema, "GET", path, asOwner());
    expect(read.motion.sensitivity).toBe(10);

    const restart = await cloud.data(cameraCommandResultSchema, "POST", `/api/cameras/${cameraId}/commands`, {
      ...asOwner(),
      body: { type: "camera.restart" },
    });
    expect(restart.result).toEqual({ cameraId: TEST_CAMERA.localId });
    const after = await cloud.data(cameraSettingsSchema, "GET", path, asViewer());
    expect(after.motion.sensitivity).toBe(10);
  }, 60_000);

  it("kill -9 of the agent: offline on the WebSocket and in /api/connection/active within 1.5 × keep-alive + 2 s; commands 503", async () => {
    const agent = deployment.agent!;
    const latency = await measureOffline(offlineWatch(), () => agent.killGroup("SIGKILL"));
    measured["offline after kill -9: socket / REST"] = `${ms(latency.socketMs)} / ${ms(latency.restMs)}`;
    console.log(`offline after kill -9: socket ${ms(latency.socketMs)}, REST ${ms(latency.restMs)}`);
    expect(latency.socketMs).toBeLessThanOrEqual(OFFLINE_BOUND_MS);
    expect(latency.restMs).toBeLessThanOrEqual(OFFLINE_BOUND_MS);
    expect((await agent.exited).signal).toBe("SIGKILL");
    // Its ffmpeg children were in its process group: none is left writing into the state dir.
    await waitFor(
      "no process of the killed agent",
      () => processesMentioning(join(dir, "agent")).length === 0,
    );

    const command = await cloud.call("POST", `/api/cameras/${cameraId}/commands`, {
      ...asOwner(),
      body: { type: "snapshot" },
    });
    expect([command.status, errorCode(command)]).toEqual([503, "E_DEVICE_OFFLINE"]);
    const snapshot = await cloud.call("GET", `/api/cameras/${cameraId}/snapshot`, asOwner());
    expect([snapshot.status, errorCode(snapshot)]).toEqual([503, "E_DEVICE_OFFLINE"]);
  }, 90_000);

  it("restarted on the same state, the agent comes back online and still has the setting (persisted before it answered)", async () => {
    const from = ownerSocket.mark();
    const started = performance.now();
    await deployment.startAgent();
    const online = await ownerSocket.next("device.status online", deviceStatus(deviceId, "online"), { from });
    measured["agent restart → online"] = ms(online.at - started);
    const path = `/api/cameras/${cameraId}/settings`;
    const settings = await cloud.data(cameraSettingsSchema, "GET", path, asOwner());
    expect(settings.motion.sensitivity).toBe(10);
    // Back to steady state (camera recording again) before the next steps.
    expect((await cloud.snapshotWhenReady(cameraId, owner)).status).toBe(200);
  }, 60_000);

  it("refuses Mosquitto's own clients: anonymous, a user's token, another device's topics", async () => {
    const port = deployment.ports.mqtt;
    const agentReq = `hc/v1/dev/${deviceId}/req/+`;
    const anonymous = await mosquitto("mosquitto_sub", port, null, ["-t", "#", "-C", "1", "-W", "3"]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Connection Refused: not authori[sz]ed/);

    // A user's access token is no device credential, whether it claims the real device or the user.
    for (const username of [deviceId, owner.userId]) {
      const login = { username, clientId: username, password: owner.accessToken };
      const run = await mosquitto("mosquitto_sub", port, login, ["-t", agentReq, "-C", "1", "-W", "3"]);
      expect(run.code, username).not.toBe(0);
      expect(run.stderr).toMatch(/Connection Refused: bad user name or password/);
    }

    // Device A: a fresh key the cloud pins on first contact. Its own subtree works (a control:
    // the refusals below are the ACL, not a bad login), and each token works once.
    const deviceA = await createDeviceKey();
    const loginA = await deviceA.login();
    const own = await subscribeOnce(port, loginA, `hc/v1/dev/${deviceA.id}/req/+`);
    expect([own.code, own.granted], own.stderr).toEqual([0, true]);
    const replayed = await subscribeOnce(port, loginA, `hc/v1/dev/${deviceA.id}/req/+`);
    expect(replayed.granted).toBeNull();
    expect(replayed.stderr).toMatch(/Connection Refused: bad user name or password/);
    const foreign = await subscribeOnce(port, await deviceA.login(), agentReq);
    expect(foreign.granted).toBe(false);
    expect(foreign.stderr + foreign.stdout).toMatch(/All subscription requests were denied/);

    // A paired to the owner too, so that its own status reaches the owner's socket: that push is
    // the barrier after which a forged status of the real agent would have arrived as well.
    const invite = await cloud.data(pairingSessionSchema, "POST", "/api/qr/generate", {
      token: await deviceA.token(),
      body: {},
    });
    expect((await cloud.claim(owner, invite)).paired).toMatchObject({ deviceId: deviceA.id, role: "owner" });

    const from = ownerSocket.mark();
    const forgery = encodeMessage("device.status", { state: "offline", reason: "forged by device A" });
    const forged = await publishOnce(port, await deviceA.login(), topics.status(deviceId), forgery, {
      retain: true,
    });
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toMatch(/connection was lost/i);
    const ownStatus = encodeMessage("device.status", { state: "online", cameras: [] });
    const barrier = await publishOnce(port, await deviceA.login(), topics.status(deviceA.id), ownStatus);
    expect(barrier.code, barrier.stderr).toBe(0);
    await ownerSocket.next("device A's own status", deviceStatus(deviceA.id, "online"), { from });
    // The agent may legitimately report camera changes meanwhile; what must not come is the forgery.
    expect(ownerSocket.since(from, deviceStatus(deviceId, "offline"))).toEqual([]);
    expect(await presence()).toBe("online");
    // And the real agent still answers through the relay.
    expect((await cloud.call("GET", `/api/cameras/${cameraId}/snapshot`, asOwner())).status).toBe(200);
  }, 60_000);

  it("a frozen agent (SIGSTOP: no FIN, as on power or network loss) goes offline by keep-alive within the bound, and back online when it resumes", async () => {
    // kill -9 closes the socket at once; only a silent connection exercises the keep-alive path.
    const agent = deployment.agent!;
    let resumed = 0;
    try {
      const latency = await measureOffline(offlineWatch(), () => agent.killGroup("SIGSTOP"));
      measured["offline after SIGSTOP (keep-alive): socket / REST"] =
        `${ms(latency.socketMs)} / ${ms(latency.restMs)}`;
      console.log(`offline after SIGSTOP: socket ${ms(latency.socketMs)}, REST ${ms(latency.restMs)}`);
      expect(latency.socketMs).toBeLessThanOrEqual(OFFLINE_BOUND_MS);
      expect(latency.restMs).toBeLessThanOrEqual(OFFLINE_BOUND_MS);
    } finally {
      resumed = ownerSocket.mark();
      agent.killGroup("SIGCONT");
    }
    // The agent finds its connection closed, signs a new token and reconnects.
    await ownerSocket.next("device.status online after SIGCONT", deviceStatus(deviceId, "online"), {
      from: resumed,
      timeoutMs: 45_000,
    });
  }, 120_000);

  it("stops both programs with SIGTERM and leaves no process behind", async () => {
    ownerSocket.close();
    const exits = await deployment.stop();
    expect(exits.map((e) => [e.name, e.code])).toEqual([
      ["agent", 0],
      ["cloud", 0],
    ]);
    await waitFor("no process mentioning the test folder", () => processesMentioning(dir).length === 0, {
      timeoutMs: 10_000,
    });
  }, 30_000);
});
