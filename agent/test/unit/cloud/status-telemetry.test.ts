import { deviceStatusBodySchema, deviceTelemetryBodySchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import type { CameraState, HostState } from "../../../src/camera/control.js";
import { offlineStatus, onlineStatus, schemaReason } from "../../../src/cloud/device-status.js";
import { telemetryBody } from "../../../src/cloud/telemetry.js";

const cam = (over: Partial<CameraState>): CameraState => ({
  id: "c1",
  name: "C1",
  enabled: true,
  status: "online",
  analysisFps: 5,
  eventActive: false,
  lastEventAt: null,
  ...over,
});

const host: HostState = {
  cpuPercent: null,
  temperatureC: 999,
  diskFreeMB: 10,
  diskTotalMB: 20,
  storage: { state: "ok" },
  uptimeS: 3,
};

describe("device status and telemetry bodies", () => {
  it("fits reasons to the schema: trimmed, bounded, never empty", () => {
    expect(schemaReason(undefined)).toBeUndefined();
    expect(schemaReason("  ")).toBeUndefined();
    expect(schemaReason(" ok ")).toBe("ok");
    expect(schemaReason("r".repeat(300))).toHaveLength(256);
  });

  it("builds an online status the schema accepts", () => {
    const body = onlineStatus("1.0.0", [
      cam({}),
      cam({ id: "c2", status: "disabled", reason: "privacy mode" }),
      cam({ id: "c3", status: "error", reason: "" }),
    ]);
    expect(body).toEqual({
      state: "online",
      agentVersion: "1.0.0",
      cameras: [
        { id: "c1", status: "online" },
        { id: "c2", status: "disabled", reason: "privacy mode" },
        { id: "c3", status: "error" },
      ],
    });
    expect(deviceStatusBodySchema.safeParse(body).success).toBe(true);
    expect(offlineStatus("shutdown")).toEqual({ state: "offline", reason: "shutdown" });
  });

  it("builds telemetry within the schema's ranges from unknown or odd sensor values", () => {
    const body = telemetryBody(
      host,
      [cam({ analysisFps: Number.NaN }), cam({ id: "c2", analysisFps: 12.5 })],
      99.96,
    );
    expect(body).toEqual({
      cpuPercent: 0,
      memoryMB: 100,
      temperatureC: null,
      diskFreeMB: 10,
      diskTotalMB: 20,
      uptimeS: 3,
      cameras: [
        { id: "c1", status: "online", fps: 0 },
        { id: "c2", status: "online", fps: 12.5 },
      ],
    });
    expect(deviceTelemetryBodySchema.safeParse(body).success).toBe(true);
    expect(telemetryBody({ ...host, cpuPercent: 140, temperatureC: 51.5 }, [], 1)).toMatchObject({
      cpuPercent: 100,
      temperatureC: 51.5,
    });
  });
});
