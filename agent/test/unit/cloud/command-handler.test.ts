import { type CameraConfig, type CameraSettingsPatch, cameraConfigSchema } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { describe, expect, it } from "vitest";
import { CameraError } from "../../../src/camera/camera-error.js";
import { applySettingsPatch, type CameraSettings, settingsOf } from "../../../src/camera/camera-settings.js";
import type {
  CameraRuntimeControl,
  CameraState,
  ManualRecordingResult,
} from "../../../src/camera/control.js";
import { type Command, CommandHandler } from "../../../src/cloud/command-handler.js";
import type { PtzController } from "../../../src/onvif/ptz.js";

const log = createLogger({ name: "test", level: "silent" });

/** Cameras in memory: the command handler's logic without capture. */
class FakeControl implements CameraRuntimeControl {
  readonly calls: string[] = [];
  cams: CameraConfig[] = [cameraConfigSchema.parse({ id: "c1", name: "C1", source: { type: "test" } })];
  armed = new Map<string, boolean>();

  #get(id: string): CameraConfig {
    const c = this.cams.find((x) => x.id === id);
    if (!c) throw new CameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera ${id}`);
    return c;
  }
  cameras(): CameraState[] {
    return [];
  }
  async host(): Promise<never> {
    throw new Error("unused");
  }
  async snapshot(id: string): Promise<Buffer> {
    this.#get(id);
    throw new CameraError("HC_ERR_CAMERA_OFFLINE", "starting");
  }
  async recordNow(id: string, seconds: number): Promise<ManualRecordingResult> {
    this.calls.push(`record ${id} ${seconds}`);
    return {
      eventId: "ev1",
      recordings: [{ id: "rec1", path: "/secret/path.mp4", durationMs: 2000, sizeBytes: 9 }],
    };
  }
  settings(id: string): CameraSettings {
    return settingsOf(this.#get(id), this.armed.get(id) ?? true);
  }
  allSettings(): CameraSettings[] {
    return this.cams.map((c) => this.settings(c.id));
  }
  async updateSettings(id: string, patch: CameraSettingsPatch): Promise<CameraSettings> {
    this.calls.push(`update ${id}`);
    this.cams = this.cams.map((c) => (c.id === id ? applySettingsPatch(c, patch) : c));
    return this.settings(id);
  }
  async setArmed(id: string | undefined, armed: boolean): Promise<string[]> {
    const ids = id === undefined ? this.cams.map((c) => c.id) : [this.#get(id).id];
    for (const i of ids) this.armed.set(i, armed);
    return ids;
  }
  async restart(id: string): Promise<void> {
    this.#get(id);
    this.calls.push(`restart ${id}`);
  }
  async addCamera(config: CameraConfig): Promise<CameraSettings> {
    if (this.cams.some((c) => c.id === config.id)) throw new CameraError("HC_ERR_CAMERA_EXISTS", "exists");
    this.cams.push(config);
    return this.settings(config.id);
  }
  ptzTarget(): never {
    throw new Error("unused: the test passes its own PTZ controller");
  }
}

const fakePtz: PtzController = {
  async move(args) {
    return { pan: args.pan, tilt: args.tilt, zoom: args.zoom, durationMs: 1000 };
  },
  async stop() {},
  async preset(args) {
    return { presetToken: args.preset };
  },
  async presets() {
    return [];
  },
  dispose() {},
};

function handler() {
  const control = new FakeControl();
  return { control, commands: new CommandHandler({ control, log, ptz: fakePtz }) };
}

describe("CommandHandler", () => {
  it("settings.set validates the patch, applies it and answers the new settings", async () => {
    const { control, commands } = handler();
    const ok = await commands.handle("r1", {
      name: "settings.set",
      args: { cameraId: "c1", patch: { name: "Porch", motion: { sensitivity: 10 } } },
    });
    expect(ok).toMatchObject({
      ok: true,
      data: { name: "Porch", motion: { sensitivity: 10, analysisFps: 5 } },
    });
    const bad = await commands.handle("r2", {
      name: "settings.set",
      args: { cameraId: "c1", patch: { recording: { preRollSeconds: -1 } } },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: "E_VALIDATION" } });
    expect(control.calls).toEqual(["update c1"]);
  });

  it("settings.set without a camera is not something this agent does (E_NOT_IMPLEMENTED)", async () => {
    const { commands } = handler();
    const answer = await commands.handle("r", { name: "settings.set", args: { patch: { name: "x" } } });
    expect(answer).toMatchObject({ ok: false, error: { code: "E_NOT_IMPLEMENTED" } });
  });

  it("camera.add checks the camera again with the agent's schema; duplicates are E_CONFLICT", async () => {
    const { commands } = handler();
    // Built by hand, past the message schema: the handler's own check is what refuses it.
    const invalid = {
      name: "camera.add",
      args: { camera: { id: "Bad Id", name: "x" } },
    } as unknown as Command;
    expect(await commands.handle("a1", invalid)).toMatchObject({
      ok: false,
      error: { code: "E_VALIDATION" },
    });
    const camera = cameraConfigSchema.parse({ id: "c2", name: "C2", source: { type: "test" } });
    expect(await commands.handle("a2", { name: "camera.add", args: { camera } })).toMatchObject({
      ok: true,
      data: { id: "c2" },
    });
    expect(await commands.handle("a3", { name: "camera.add", args: { camera } })).toMatchObject({
      ok: false,
      error: { code: "E_CONFLICT" },
    });
  });

  it("answers record.now with the event and recording ids only (no local paths)", async () => {
    const { commands } = handler();
    const answer = await commands.handle("r", { name: "record.now", args: { cameraId: "c1", seconds: 2 } });
    expect(answer).toEqual({
      ok: true,
      data: { eventId: "ev1", recordings: [{ id: "rec1", durationMs: 2000, sizeBytes: 9 }] },
    });
  });

  it("arms and disarms one camera or all of them", async () => {
    const { control, commands } = handler();
    control.cams.push(cameraConfigSchema.parse({ id: "c2", name: "C2", source: { type: "test" } }));
    expect(await commands.handle("d", { name: "disarm", args: {} })).toEqual({
      ok: true,
      data: { armed: false, cameras: ["c1", "c2"] },
    });
    expect(await commands.handle("a", { name: "arm", args: { cameraId: "c2" } })).toEqual({
      ok: true,
      data: { armed: true, cameras: ["c2"] },
    });
    expect([...control.armed]).toEqual([
      ["c1", false],
      ["c2", true],
    ]);
  });

  it("passes PTZ to the controller and maps camera errors to catalogue codes", async () => {
    const { commands } = handler();
    expect(
      await commands.handle("p1", { name: "ptz.move", args: { cameraId: "c1", pan: 1, tilt: 0, zoom: 0 } }),
    ).toEqual({ ok: true, data: { pan: 1, tilt: 0, zoom: 0, durationMs: 1000 } });
    expect(
      await commands.handle("p2", { name: "ptz.preset", args: { cameraId: "c1", preset: "home" } }),
    ).toEqual({
      ok: true,
      data: { presetToken: "home" },
    });
    expect(await commands.handle("s", { name: "snapshot", args: { cameraId: "c1" } })).toMatchObject({
      ok: false,
      error: { code: "E_DEVICE_OFFLINE", message: "starting" },
    });
    expect(await commands.handle("n", { name: "camera.restart", args: { cameraId: "zz" } })).toMatchObject({
      ok: false,
      error: { code: "E_NOT_FOUND" },
    });
  });

  it("grants.revoked tells the listeners and answers ok", async () => {
    const { commands } = handler();
    const revoked: string[] = [];
    commands.on("grantsRevoked", (e) => revoked.push(e.userId));
    expect(await commands.handle("g", { name: "grants.revoked", args: { userId: "u-1" } })).toEqual({
      ok: true,
      data: { userId: "u-1" },
    });
    expect(revoked).toEqual(["u-1"]);
  });

  it("executes a request id once and re-sends its answer", async () => {
    const { control, commands } = handler();
    const cmd: Command = { name: "record.now", args: { cameraId: "c1", seconds: 1 } };
    const [a, b] = await Promise.all([commands.handle("same", cmd), commands.handle("same", cmd)]);
    const c = await commands.handle("same", cmd);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(control.calls).toEqual(["record c1 1"]);
  });
});
