import {
  type CommandArgs,
  type CommandName,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  type MessageBody,
  parseMessage,
  topics,
} from "@homecam/shared";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraManager } from "../../../src/camera/camera-manager.js";
import type { CameraSettings } from "../../../src/camera/camera-settings.js";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { CommandHandler } from "../../../src/cloud/command-handler.js";
import { SNAPSHOT_MAX_BYTES } from "../../../src/cloud/jpeg-fit.js";
import { MqttLink } from "../../../src/cloud/mqtt-link.js";
import { sensitivityParams } from "../../../src/motion/sensitivity.js";
import type { AgentStore } from "../../../src/store/agent-store.js";
import type { AgentRepos } from "../../../src/store/repos.js";
import { cameraConfig, capturingLogger, isJpeg, openRepos } from "../camera/helpers.js";
import { recordingIdentity, startTestCloud, type TestCloud, tempDir, waitFor } from "./cloud-fixture.js";
import { jpegWidth } from "./jpeg-size.js";

// The remote commands end to end: the cloud's broker and a service client as the relay, the link and
// the command handler, and a real camera manager capturing the synthetic test scenes with ffmpeg.

type Result = MessageBody<"command.result">;

const config = (stateDir: string) => ({
  stateDir,
  cameras: [
    cameraConfig("yard", {
      source: { type: "test", width: 640, height: 360, fps: 10, scene: "static" },
      motion: { sensitivity: 60, analysisFps: 5, analysisWidth: 160 },
      recording: { preRollSeconds: 1, postRollSeconds: 1, segmentSeconds: 1 },
    }),
    // Sensor noise at 1080p: its full-resolution JPEG is far over the size a message can carry.
    cameraConfig("big", {
      source: { type: "test", width: 1920, height: 1080, fps: 5, scene: "noise" },
      motion: { enabled: false, analysisFps: 1, analysisWidth: 160 },
      recording: { segmentSeconds: 1 },
    }),
  ],
});

let cloud: TestCloud;
let dir: { path: string; remove(): Promise<void> };
let store: AgentStore;
let repos: AgentRepos;
let manager: CameraManager;
let link: MqttLink;
let relay: MqttClient;
let deviceId: string;
const answers = new Map<string, { id: string; body: Result }[]>();
let seq = 0;

async function startAgent(): Promise<void> {
  ({ store, repos } = await openRepos(dir.path));
  const { log } = capturingLogger();
  manager = new CameraManager({ config: config(dir.path), repos, log });
  const { identity } = await recordingIdentity(dir.path);
  deviceId = identity.deviceId;
  link = new MqttLink({
    url: cloud.mqttUrl,
    identity,
    api: new CloudApi({ baseUrl: cloud.httpUrl, identity }),
    control: manager,
    commands: new CommandHandler({ control: manager, log }),
    agentVersion: "test",
    log,
    statusPollMs: 100,
  });
  await manager.start();
  await link.start();
  await waitFor("link connected", () => link.connected, 10_000);
}

async function stopAgent(): Promise<void> {
  await link.stop();
  await manager.stop();
  await store.close();
}

function online(id: string): boolean {
  const p = manager.pipelines.get(id);
  return p?.capture.status().state === "online" && p.capture.ring.latest() !== undefined;
}

/** Publish a command as the relay does and wait for the device's answer. */
async function send<N extends CommandName>(
  name: N,
  args: CommandArgs<N>,
  requestId = `r${++seq}`,
): Promise<Result> {
  const before = answers.get(requestId)?.length ?? 0;
  await relay.publishAsync(
    topics.req(deviceId, requestId),
    encodeMessage("command", { name, args } as never),
    {
      qos: 1,
    },
  );
  const got = await waitFor(`answer to ${name}`, () => answers.get(requestId)?.[before], 60_000);
  expect(got.id).toBe(requestId);
  return got.body;
}

beforeAll(async () => {
  cloud = await startTestCloud(capturingLogger().log);
  dir = await tempDir("commands");
  await startAgent();
  relay = await cloud.service("relay");
  relay.on("message", (topic, payload) => {
    const parsed = parseMessage(payload, ["command.result"]);
    const requestId = topic.split("/").at(-1) ?? "";
    if (!parsed.ok) return;
    answers.set(requestId, [
      ...(answers.get(requestId) ?? []),
      { id: parsed.message.id, body: parsed.message.body },
    ]);
  });
  await relay.subscribeAsync(`hc/v1/dev/${deviceId}/res/+`, { qos: 1 });
  await waitFor("cameras online", () => online("yard") && online("big"), 30_000);
}, 60_000);

afterAll(async () => {
  await stopAgent();
  await cloud?.close();
  await dir?.remove();
});

describe("remote commands on a real camera manager", () => {
  it("snapshot: a real JPEG, re-encoded under the message limit when the full picture is too large", async () => {
    expect((await manager.snapshot("big")).length).toBeGreaterThan(SNAPSHOT_MAX_BYTES);
    const result = await send("snapshot", { cameraId: "big" });
    if (!result.ok) throw new Error(result.error.message);
    const data = result.data as { contentType: string; dataBase64: string };
    expect(data.contentType).toBe("image/jpeg");
    const jpeg = Buffer.from(data.dataBase64, "base64");
    expect(await isJpeg(jpeg)).toBe(true);
    expect(jpeg.length).toBeLessThanOrEqual(SNAPSHOT_MAX_BYTES);
    expect(jpegWidth(jpeg)).toBeLessThanOrEqual(1280);
    expect(data.dataBase64.length).toBeLessThan(MAX_MESSAGE_BYTES);

    // A picture small enough travels as it is.
    const small = await send("snapshot", { cameraId: "yard" });
    const smallJpeg = Buffer.from((small as { data: { dataBase64: string } }).data.dataBase64, "base64");
    expect(await isJpeg(smallJpeg)).toBe(true);
    expect(jpegWidth(smallJpeg)).toBe(640);
  });

  it("settings.set changes the running detector's sensitivity in place; settings.get reads it back", async () => {
    const pipeline = manager.pipelines.get("yard");
    const result = await send("settings.set", { cameraId: "yard", patch: { motion: { sensitivity: 20 } } });
    expect(result).toMatchObject({
      ok: true,
      data: { id: "yard", motion: { sensitivity: 20, analysisFps: 5 } },
    });
    const read = await send("settings.get", { cameraId: "yard" });
    expect(read).toMatchObject({
      ok: true,
      data: { id: "yard", name: "yard", armed: true, motion: { sensitivity: 20 } },
    });
    // Same pipeline (no restart); its detector is rebuilt with the new sensitivity at the next frame.
    expect(manager.pipelines.get("yard")).toBe(pipeline);
    expect(pipeline?.camera.motion.sensitivity).toBe(20);
    await waitFor("detector with the new sensitivity", () => pipeline?.motionDetector, 10_000);
    expect(pipeline?.motionDetector?.params).toEqual(sensitivityParams(20));

    const all = await send("settings.get", {});
    const cams = (all as { data: { cameras: CameraSettings[] } }).data.cameras;
    expect(cams.map((c) => [c.id, c.motion.sensitivity])).toEqual([
      ["yard", 20],
      ["big", 60],
    ]);
  });

  it("settings.set with a recording change restarts that camera's pipeline with the merged settings", async () => {
    const before = manager.pipelines.get("yard");
    const result = await send("settings.set", {
      cameraId: "yard",
      patch: { recording: { postRollSeconds: 2 } },
    });
    expect(result).toMatchObject({
      ok: true,
      data: { recording: { postRollSeconds: 2 }, motion: { sensitivity: 20 } },
    });
    const after = manager.pipelines.get("yard");
    expect(after).not.toBe(before);
    expect(after?.camera.recording.postRollSeconds).toBe(2);
    await waitFor("yard online again", () => online("yard"), 20_000);
  });

  it("refuses an invalid patch (E_VALIDATION), an unknown camera (E_NOT_FOUND) and PTZ on a test source", async () => {
    const invalid = await send("settings.set", { cameraId: "yard", patch: { motion: { sensitivity: 500 } } });
    expect(invalid).toMatchObject({ ok: false, error: { code: "E_VALIDATION" } });
    expect((invalid as { error: { message: string } }).error.message).toContain("patch.motion.sensitivity");
    const unknownKey = await send("settings.set", { cameraId: "yard", patch: { colour: "red" } });
    expect(unknownKey).toMatchObject({ ok: false, error: { code: "E_VALIDATION" } });
    expect(manager.settings("yard").motion.sensitivity).toBe(20);

    for (const [name, args] of [
      ["snapshot", { cameraId: "nope" }],
      ["settings.get", { cameraId: "nope" }],
      ["settings.set", { cameraId: "nope", patch: { name: "x" } }],
      ["camera.restart", { cameraId: "nope" }],
      ["disarm", { cameraId: "nope" }],
    ] as const) {
      expect(await send(name, args as never), name).toMatchObject({
        ok: false,
        error: { code: "E_NOT_FOUND" },
      });
    }
    const ptz = await send("ptz.move", { cameraId: "yard", pan: 0.5, tilt: 0, zoom: 0 });
    expect(ptz).toMatchObject({ ok: false, error: { code: "E_NOT_IMPLEMENTED" } });
    expect(await send("ptz.stop", { cameraId: "yard" })).toMatchObject({
      ok: false,
      error: { code: "E_NOT_IMPLEMENTED" },
    });
  });

  it("disarm stops capture (privacy mode, status disabled, published), arm starts it again", async () => {
    const status = await cloud.service("status");
    const statuses: MessageBody<"device.status">[] = [];
    status.on("message", (_t, payload) => {
      const parsed = parseMessage(payload, ["device.status"]);
      if (parsed.ok) statuses.push(parsed.message.body);
    });
    await status.subscribeAsync(topics.status(deviceId), { qos: 1 });

    expect(await send("disarm", { cameraId: "yard" })).toEqual({
      ok: true,
      data: { armed: false, cameras: ["yard"] },
    });
    expect(manager.pipelines.has("yard")).toBe(false);
    expect(manager.cameras().find((c) => c.id === "yard")).toMatchObject({
      status: "disabled",
      reason: "privacy mode",
    });
    expect(await send("snapshot", { cameraId: "yard" })).toMatchObject({
      ok: false,
      error: { code: "E_DEVICE_OFFLINE" },
    });
    await waitFor(
      "privacy mode published",
      () => statuses.some((s) => s.cameras?.some((c) => c.id === "yard" && c.reason === "privacy mode")),
      10_000,
    );

    expect(await send("arm", { cameraId: "yard" })).toEqual({
      ok: true,
      data: { armed: true, cameras: ["yard"] },
    });
    await waitFor("yard online after arming", () => online("yard"), 20_000);
    expect(manager.settings("yard").armed).toBe(true);
  });

  it("executes a repeated request id once: a repeat in flight and a repeat afterwards get the same answer", async () => {
    const since = Date.now();
    const publish = () =>
      relay.publishAsync(
        topics.req(deviceId, "rec-once"),
        encodeMessage("command", { name: "record.now", args: { cameraId: "yard", seconds: 1 } }),
        { qos: 1 },
      );
    const count = () => answers.get("rec-once")?.length ?? 0;
    // The second arrives while the 1 s recording is still running.
    await publish();
    await publish();
    await waitFor("two answers", () => count() === 2, 60_000);
    await publish();
    await waitFor("three answers", () => count() === 3, 60_000);
    const [first, ...repeats] = (answers.get("rec-once") ?? []).map((a) => a.body);
    if (!first?.ok) throw new Error("record.now failed");
    const { eventId } = first.data as { eventId: string };
    expect(repeats).toEqual([first, first]);
    const manual = await repos.events.list({ cameraId: "yard", type: "manual", since: since - 5_000 });
    expect(manual.map((e) => e.id)).toEqual([eventId]);
  });

  it("camera.add starts and persists a new camera, refuses a duplicate id, and registers it with the cloud", async () => {
    const camera = cameraConfig("porch", {
      source: { type: "test", width: 320, height: 180, fps: 5, scene: "static" },
      recording: { segmentSeconds: 1 },
    });
    const added = await send("camera.add", { camera });
    expect(added).toMatchObject({ ok: true, data: { id: "porch", armed: true, sourceKind: "test" } });
    await waitFor("porch online", () => online("porch"), 20_000);
    expect(await send("camera.add", { camera })).toMatchObject({ ok: false, error: { code: "E_CONFLICT" } });
    await waitFor(
      "porch registered",
      () => link.registeredCameras.some((c) => c.localId === "porch"),
      10_000,
    );

    expect(await send("camera.restart", { cameraId: "porch" })).toEqual({
      ok: true,
      data: { cameraId: "porch" },
    });
    await waitFor("porch online after restart", () => online("porch"), 20_000);
  });

  it("keeps settings, privacy mode and added cameras across an agent restart", async () => {
    expect(await send("disarm", { cameraId: "big" })).toMatchObject({ ok: true });
    await stopAgent();
    await startAgent();
    expect(manager.settings("yard").motion.sensitivity).toBe(20);
    expect(manager.settings("yard").recording.postRollSeconds).toBe(2);
    expect(manager.cameras().map((c) => [c.id, c.status === "disabled" ? c.reason : "runs"])).toEqual([
      ["yard", "runs"],
      ["big", "privacy mode"],
      ["porch", "runs"],
    ]);
    await waitFor("yard and porch online", () => online("yard") && online("porch"), 30_000);
    await waitFor("detector rebuilt", () => manager.pipelines.get("yard")?.motionDetector, 10_000);
    expect(manager.pipelines.get("yard")?.motionDetector?.params).toEqual(sensitivityParams(20));
  });
});
