import { type CameraStats, type DevicePresence, deviceTelemetryBodySchema } from "@homecam/shared";
import { iso } from "./views.js";

/** What the stats of one camera are computed from: the device row's latest telemetry. */
export interface CameraStatsInput {
  cameraId: string;
  localId: string;
  deviceId: string;
  deviceStatus: DevicePresence;
  /** `devices.telemetry_json`: the latest `device.telemetry` body, as received. */
  telemetryJson: string | null;
  telemetryAt: number | null;
}

/**
 * A camera's stats from its device's latest telemetry sample. Nothing is invented: before the first
 * sample (or when the stored sample does not parse) every figure is null, and a camera the sample
 * does not mention has `camera: null`.
 */
export function cameraStats(input: CameraStatsInput): CameraStats {
  const base = { cameraId: input.cameraId, deviceId: input.deviceId, deviceStatus: input.deviceStatus };
  const sample = parseTelemetry(input.telemetryJson);
  if (!sample || input.telemetryAt === null) {
    return { ...base, telemetryAt: null, camera: null, device: null };
  }
  const cam = sample.cameras.find((c) => c.id === input.localId);
  return {
    ...base,
    telemetryAt: iso(input.telemetryAt),
    camera: cam ? { status: cam.status, fps: cam.fps, reason: cam.reason ?? null } : null,
    device: {
      cpuPercent: sample.cpuPercent,
      memoryMB: sample.memoryMB,
      temperatureC: sample.temperatureC ?? null,
      diskFreeMB: sample.diskFreeMB,
      diskTotalMB: sample.diskTotalMB,
      uptimeS: sample.uptimeS,
    },
  };
}

function parseTelemetry(json: string | null) {
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = deviceTelemetryBodySchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
