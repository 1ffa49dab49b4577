import net from "node:net";
import { Writable } from "node:stream";
import { createLogger } from "@homecam/shared/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveOnvifSource } from "../../../src/capture/sources/onvif.js";
import { connectOnvif, type OnvifCamera } from "../../../src/onvif/client.js";
import { createPtzController } from "../../../src/onvif/ptz.js";
import { fetchJpeg, isJpeg } from "../../../src/onvif/snapshot.js";
import { makeTestJpeg } from "../../fixtures/onvif/jpeg.js";
import {
  type OnvifSimulator,
  SIM_DEVICE,
  type SimulatorOptions,
  startOnvifSimulator,
} from "../../fixtures/onvif/simulator.js";

const USER = "admin";
const PASS = "S3cr3t-Pw!";
const jpeg = makeTestJpeg();
const opened: OnvifSimulator[] = [];

async function sim(opts: SimulatorOptions = {}): Promise<OnvifSimulator> {
  const s = await startOnvifSimulator({ username: USER, password: PASS, jpeg, ...opts });
  opened.push(s);
  return s;
}
function connect(s: OnvifSimulator, password = PASS, timeoutMs = 5000): Promise<OnvifCamera> {
  return connectOnvif({ host: s.host, port: s.port, username: USER, password, timeoutMs });
}
async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe("ONVIF client against the simulator", () => {
  let s: OnvifSimulator;
  let cam: OnvifCamera;
  beforeAll(async () => {
    s = await startOnvifSimulator({ username: USER, password: PASS, jpeg });
    cam = await connect(s);
  });
  afterAll(async () => {
    await s.close();
  });

  it("connects with the requests the onvif package makes, authenticated where needed", () => {
    const connectCalls = s.requests.slice(0, 5);
    expect(connectCalls.slice(0, 2)).toEqual([
      { service: "device", action: "GetSystemDateAndTime", authenticated: false },
      { service: "device", action: "GetServices", authenticated: false },
    ]);
    expect(
      connectCalls
        .slice(2, 4)
        .map((r) => r.action)
        .sort(),
    ).toEqual(["GetProfiles", "GetVideoSources"]);
    expect(connectCalls[4]).toEqual({
      service: "device",
      action: "GetDeviceInformation",
      authenticated: true,
    });
    expect(connectCalls.slice(2).every((r) => r.authenticated)).toBe(true);
    expect(s.authFailures).toEqual([]);
  });

  it("never exposes the password when the camera object is serialised", () => {
    expect(JSON.stringify(cam)).not.toContain(PASS);
    expect(Object.keys(cam)).toEqual(["host", "port"]);
  });

  it("reads device information exactly", async () => {
    await expect(cam.deviceInfo()).resolves.toEqual(SIM_DEVICE);
  });

  it("lists both profiles with their tokens as strings", async () => {
    await expect(cam.profiles()).resolves.toEqual([
      expect.objectContaining({
        token: "000",
        name: "main",
        encoding: "H264",
        width: 1280,
        height: 720,
        ptz: true,
      }),
      expect.objectContaining({
        token: "001",
        name: "sub",
        encoding: "H264",
        width: 640,
        height: 360,
        ptz: false,
      }),
    ]);
  });

  it("gives RTSP URIs with the credentials injected, asking for the right transport", async () => {
    const before = s.streamUriProtocols.length;
    await expect(cam.streamUri("000")).resolves.toBe(
      "rtsp://admin:S3cr3t-Pw%21@127.0.0.1:8554/Streaming/Channels/000",
    );
    await expect(cam.streamUri("001", "udp")).resolves.toBe(
      "rtsp://admin:S3cr3t-Pw%21@127.0.0.1:8554/Streaming/Channels/001",
    );
    expect(s.streamUriProtocols.slice(before)).toEqual(["RTSP", "UDP"]);
    await expect(cam.streamUri("nope")).rejects.toMatchObject({ code: "HC_ERR_ONVIF_NO_PROFILE" });
  });

  it("fetches the snapshot JPEG through HTTP Digest", async () => {
    await expect(cam.snapshotUri("000")).resolves.toBe(
      `http://127.0.0.1:${s.port}/cgi-bin/snapshot.cgi?channel=1&profile=000`,
    );
    const before = s.snapshotRequests;
    const img = await cam.snapshot("000");
    expect(isJpeg(img)).toBe(true);
    expect(img.equals(jpeg)).toBe(true);
    expect(s.snapshotRequests - before).toBe(2); // challenge, then the authorised GET
  });

  it("drives PTZ; the simulator records every call", async () => {
    expect(cam.ptzCapable()).toBe(true);
    const from = s.ptzCalls.length;
    await cam.continuousMove("000", { pan: 0.5, tilt: -0.25, zoom: 0.1 }, 1500);
    await cam.stop("000");
    await expect(cam.presets("000")).resolves.toEqual([
      { token: "1", name: "Home" },
      { token: "2", name: "Door" },
    ]);
    await expect(cam.setPreset("000", "Gate & <drive>")).resolves.toBe("3");
    await cam.gotoPreset("000", "3");
    expect(s.ptzCalls.slice(from)).toEqual([
      { action: "ContinuousMove", profileToken: "000", pan: 0.5, tilt: -0.25, zoom: 0.1, timeout: "PT1.5S" },
      { action: "Stop", profileToken: "000", stopPanTilt: "true", stopZoom: "true" },
      { action: "GetPresets", profileToken: "000" },
      { action: "SetPreset", profileToken: "000", presetName: "Gate & <drive>", presetToken: "3" },
      { action: "GotoPreset", profileToken: "000", presetToken: "3" },
    ]);
    await expect(cam.presets("000")).resolves.toContainEqual({ token: "3", name: "Gate & <drive>" });
  });

  it("maps PTZ faults: profile without PTZ, unknown preset, bad velocity", async () => {
    await expect(cam.continuousMove("001", { pan: 1, tilt: 0, zoom: 0 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_NO_PTZ",
    });
    await expect(cam.gotoPreset("000", "99")).rejects.toMatchObject({ code: "HC_ERR_ONVIF_NO_PRESET" });
    await expect(cam.continuousMove("000", { pan: 2, tilt: 0, zoom: 0 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_INVALID_ARGUMENT",
    });
  });
});

describe("ONVIF client failure modes", () => {
  it("wrong password (WS-UsernameToken) → HC_ERR_ONVIF_AUTH", async () => {
    const s = await sim();
    await expect(connect(s, "wrong")).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_AUTH",
      message: expect.stringContaining("NotAuthorized"),
    });
    expect(s.authFailures).toContain("wrong password digest");
  });

  it("HTTP Digest for SOAP: right password connects, wrong one → HC_ERR_ONVIF_AUTH", async () => {
    const s = await sim({ auth: "http-digest" });
    const cam = await connect(s);
    await expect(cam.profiles()).resolves.toHaveLength(2);
    await expect(connect(s, "wrong")).rejects.toMatchObject({ code: "HC_ERR_ONVIF_AUTH" });
    expect(s.authFailures).toContain("wrong digest response");
  });

  it("falls back to GetCapabilities on devices without GetServices", async () => {
    const s = await sim({ noGetServices: true });
    const cam = await connect(s);
    expect(cam.ptzCapable()).toBe(true);
    await cam.stop("000");
    expect(s.requests.slice(0, 3).map((r) => r.action)).toEqual([
      "GetSystemDateAndTime",
      "GetServices",
      "GetCapabilities",
    ]);
  });

  it("signs WS-Security with the camera's clock (2 h ahead)", async () => {
    const s = await sim({ clockSkewMs: 2 * 3600_000 });
    const cam = await connect(s);
    await expect(cam.deviceInfo()).resolves.toMatchObject({ model: SIM_DEVICE.model });
    expect(s.authFailures).toEqual([]);
  });

  it("a camera without PTZ service → HC_ERR_ONVIF_NO_PTZ before any request", async () => {
    const s = await sim({ ptz: false });
    const cam = await connect(s);
    expect(cam.ptzCapable()).toBe(false);
    await expect(cam.continuousMove("000", { pan: 1, tilt: 0, zoom: 0 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_NO_PTZ",
    });
    expect(s.ptzCalls).toEqual([]);
  });

  it("closed port → HC_ERR_ONVIF_UNREACHABLE", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    await expect(connectOnvif({ host: "127.0.0.1", port, timeoutMs: 2000 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_UNREACHABLE",
    });
  });

  it("slow camera → HC_ERR_ONVIF_TIMEOUT", async () => {
    const s = await sim({ replyDelayMs: 1500 });
    await expect(connect(s, PASS, 300)).rejects.toMatchObject({ code: "HC_ERR_ONVIF_TIMEOUT" });
  });

  it("not an ONVIF device → HC_ERR_ONVIF_PROTOCOL", async () => {
    const s = await sim();
    await expect(
      connectOnvif({ host: s.host, port: s.port, path: "/index.html", timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: "HC_ERR_ONVIF_PROTOCOL" });
  });

  it("snapshot: Basic auth, no auth, wrong credentials, not a JPEG", async () => {
    const basic = await sim({ snapshotAuth: "basic" });
    await expect((await connect(basic)).snapshot("001")).resolves.toEqual(jpeg);
    const open = await sim({ snapshotAuth: "none" });
    await expect((await connect(open)).snapshot("000")).resolves.toEqual(jpeg);
    const digest = await sim();
    const uri = `http://127.0.0.1:${digest.port}/cgi-bin/snapshot.cgi?channel=1&profile=000`;
    await expect(fetchJpeg(uri, { username: USER, password: "wrong" })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_AUTH",
    });
    await expect(fetchJpeg(uri)).rejects.toMatchObject({ code: "HC_ERR_ONVIF_AUTH" });
    const html = await sim({ jpeg: Buffer.from("<html>camera error</html>") });
    await expect((await connect(html)).snapshot("000")).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_SNAPSHOT",
    });
  });
});

describe("ONVIF source and PTZ controller end to end", () => {
  it("resolves the source, logging no password", async () => {
    const s = await sim();
    let logged = "";
    const logger = createLogger({
      name: "agent",
      level: "debug",
      destination: new Writable({
        write(chunk, _enc, cb) {
          logged += String(chunk);
          cb();
        },
      }),
    });
    const r = await resolveOnvifSource(
      { type: "onvif", host: s.host, port: s.port, username: USER, password: PASS, transport: "tcp" },
      { logger },
    );
    expect(r).toMatchObject({
      streamUrl: "rtsp://admin:S3cr3t-Pw%21@127.0.0.1:8554/Streaming/Channels/000",
      analysisStreamUrl: "rtsp://admin:S3cr3t-Pw%21@127.0.0.1:8554/Streaming/Channels/001",
      snapshotUrl: `http://127.0.0.1:${s.port}/cgi-bin/snapshot.cgi?channel=1&profile=000`,
      profileToken: "000",
      analysisProfileToken: "001",
      ptz: true,
    });
    expect(logged).toContain("onvif source resolved");
    expect(logged).not.toContain(PASS);
    expect(logged).not.toContain("S3cr3t-Pw%21");
  });

  it("ptz.move / ptz.preset / automatic stop reach the camera", async () => {
    const s = await sim();
    const cam = await connect(s);
    const ptz = createPtzController({
      lookup: (id) => (id === "porch" ? { device: cam, profileToken: "000" } : undefined),
    });
    await ptz.move({ cameraId: "porch", pan: -1, tilt: 0.5, zoom: 0, timeoutMs: 1 });
    await waitFor(() => s.ptzCalls.some((c) => c.action === "Stop"));
    await ptz.preset({ cameraId: "porch", preset: "Door" });
    expect(s.ptzCalls).toEqual([
      { action: "ContinuousMove", profileToken: "000", pan: -1, tilt: 0.5, zoom: 0, timeout: "PT0.1S" },
      { action: "Stop", profileToken: "000", stopPanTilt: "true", stopZoom: "true" },
      { action: "GetPresets", profileToken: "000" },
      { action: "GotoPreset", profileToken: "000", presetToken: "2" },
    ]);
    ptz.dispose();
  });
});
