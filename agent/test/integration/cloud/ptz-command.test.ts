import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraManager } from "../../../src/camera/camera-manager.js";
import { CommandHandler } from "../../../src/cloud/command-handler.js";
import type { AgentStore } from "../../../src/store/agent-store.js";
import { type OnvifSimulator, startOnvifSimulator } from "../../fixtures/onvif/simulator.js";
import { cameraConfig, capturingLogger, openRepos, tempDir, waitFor } from "../camera/helpers.js";
import { freePort } from "../capture/helpers.js";

// PTZ commands reach a real ONVIF camera (the protocol-level simulator) through the connection the
// camera manager opened to resolve the stream: the command handler never connects on its own.

let sim: OnvifSimulator;
let dir: { path: string; remove(): Promise<void> };
let store: AgentStore;
let manager: CameraManager;
let commands: CommandHandler;

beforeAll(async () => {
  // Nothing listens on the RTSP port: capture keeps retrying, PTZ works regardless.
  sim = await startOnvifSimulator({ username: "admin", password: "pw", rtspPort: await freePort() });
  dir = await tempDir("ptz");
  let repos: Awaited<ReturnType<typeof openRepos>>["repos"];
  ({ store, repos } = await openRepos(dir.path));
  const { log } = capturingLogger();
  manager = new CameraManager({
    config: {
      stateDir: dir.path,
      cameras: [
        cameraConfig("dome", {
          source: { type: "onvif", host: sim.host, port: sim.port, username: "admin", password: "pw" },
        }),
      ],
    },
    repos,
    log,
  });
  commands = new CommandHandler({ control: manager, log });
  await manager.start();
});

afterAll(async () => {
  commands.dispose();
  await manager.stop();
  await store.close();
  await sim.close();
  await dir.remove();
});

describe("PTZ commands on an ONVIF camera", () => {
  it("moves, stops and goes to a preset through the camera's own ONVIF connection", async () => {
    await waitFor(
      "the ONVIF source resolved",
      () => {
        try {
          return Boolean(manager.ptzTarget("dome"));
        } catch {
          return false;
        }
      },
      15_000,
    );
    const from = sim.ptzCalls.length;
    const moved = await commands.handle("m1", {
      name: "ptz.move",
      args: { cameraId: "dome", pan: 0.5, tilt: -0.25, zoom: 0, timeoutMs: 5_000 },
    });
    expect(moved).toEqual({ ok: true, data: { pan: 0.5, tilt: -0.25, zoom: 0, durationMs: 5_000 } });
    expect(await commands.handle("s1", { name: "ptz.stop", args: { cameraId: "dome" } })).toEqual({
      ok: true,
      data: { stopped: true },
    });
    expect(
      await commands.handle("p1", { name: "ptz.preset", args: { cameraId: "dome", preset: "Door" } }),
    ).toEqual({
      ok: true,
      data: { presetToken: "2" },
    });
    expect(
      await commands.handle("p2", { name: "ptz.preset", args: { cameraId: "dome", preset: "Attic" } }),
    ).toMatchObject({ ok: false, error: { code: "E_NOT_FOUND" } });
    expect(sim.ptzCalls.slice(from).map((c) => c.action)).toEqual([
      "ContinuousMove",
      "Stop",
      "GetPresets",
      "GotoPreset",
      "GetPresets",
    ]);
    expect(sim.ptzCalls[from]).toMatchObject({ pan: 0.5, tilt: -0.25, zoom: 0, timeout: "PT5S" });
  });
});
