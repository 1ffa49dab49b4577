import { describe, expect, it } from "vitest";
import { type OnvifSourceConfig, resolveOnvifSource } from "../../../src/capture/sources/onvif.js";
import type { ConnectOnvifOptions, OnvifCamera, OnvifProfile } from "../../../src/onvif/client.js";
import { OnvifError } from "../../../src/onvif/errors.js";

function fakeCamera(
  profiles: OnvifProfile[],
  opts: { ptz?: boolean; snapshot?: "ok" | "fault" | "unreachable" } = {},
): OnvifCamera {
  const no = (): never => {
    throw new Error("not used");
  };
  return {
    host: "cam",
    port: 80,
    deviceInfo: no,
    profiles: async () => profiles,
    streamUri: async (t, tr) => `rtsp://u:p@cam/${t}/${tr}`,
    snapshotUri: async (t) => {
      if (opts.snapshot === "fault") throw new OnvifError("HC_ERR_ONVIF_FAULT", "ActionNotSupported");
      if (opts.snapshot === "unreachable") throw new OnvifError("HC_ERR_ONVIF_UNREACHABLE", "gone");
      return `http://cam/snap/${t}`;
    },
    snapshot: no,
    ptzCapable: () => opts.ptz ?? true,
    continuousMove: no,
    stop: no,
    presets: no,
    gotoPreset: no,
    setPreset: no,
  };
}

const src = (over: Partial<OnvifSourceConfig> = {}): OnvifSourceConfig => ({
  type: "onvif",
  host: "cam",
  port: 8000,
  username: "u",
  password: "p",
  transport: "tcp",
  ...over,
});
const main: OnvifProfile = {
  token: "000",
  name: "main",
  encoding: "H264",
  width: 1280,
  height: 720,
  ptz: true,
};
const sub: OnvifProfile = {
  token: "001",
  name: "sub",
  encoding: "H264",
  width: 640,
  height: 360,
  ptz: false,
};

describe("resolveOnvifSource", () => {
  it("picks main + analysis substream, passes the config to connect", async () => {
    let seen: ConnectOnvifOptions | undefined;
    const r = await resolveOnvifSource(src({ transport: "udp" }), {
      connect: async (o) => {
        seen = o;
        return fakeCamera([sub, main]);
      },
      timeoutMs: 500,
    });
    expect(seen).toMatchObject({ host: "cam", port: 8000, username: "u", password: "p", timeoutMs: 500 });
    expect(r).toMatchObject({
      streamUrl: "rtsp://u:p@cam/000/udp",
      analysisStreamUrl: "rtsp://u:p@cam/001/udp",
      snapshotUrl: "http://cam/snap/000",
      profileToken: "000",
      analysisProfileToken: "001",
      encoding: "H264",
      width: 1280,
      height: 720,
      ptz: true,
    });
  });

  it("honours the configured profile; PTZ needs both the service and the profile's configuration", async () => {
    const r = await resolveOnvifSource(src({ profile: "001" }), {
      connect: async () => fakeCamera([main, sub]),
    });
    expect(r).toMatchObject({ profileToken: "001", ptz: false });
    expect(r.analysisStreamUrl).toBeUndefined();
    const r2 = await resolveOnvifSource(src(), { connect: async () => fakeCamera([main], { ptz: false }) });
    expect(r2.ptz).toBe(false);
  });

  it("a camera without snapshots still resolves; other failures propagate", async () => {
    const r = await resolveOnvifSource(src(), {
      connect: async () => fakeCamera([main], { snapshot: "fault" }),
    });
    expect(r.snapshotUrl).toBeUndefined();
    await expect(
      resolveOnvifSource(src(), { connect: async () => fakeCamera([main], { snapshot: "unreachable" }) }),
    ).rejects.toMatchObject({ code: "HC_ERR_ONVIF_UNREACHABLE" });
    await expect(
      resolveOnvifSource(src({ profile: "x" }), { connect: async () => fakeCamera([main]) }),
    ).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_NO_PROFILE",
    });
  });
});
