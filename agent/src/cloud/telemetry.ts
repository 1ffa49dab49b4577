import { freemem, totalmem } from "node:os";
import type { MessageBodyInput } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { CameraControl, CameraState, HostState } from "../camera/control.js";
import { cameraStatusOf } from "./device-status.js";

/** The `device.telemetry` body as the agent sends it. */
export type TelemetryBody = MessageBodyInput<"device.telemetry">;

const MiB = 1024 * 1024;
/** The schema's camera cap per message. */
const MAX_CAMERAS = 32;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Memory in use on the whole machine, MiB (total minus what the kernel reports available). */
export function memoryInUseMB(): number {
  return Math.max(0, (totalmem() - freemem()) / MiB);
}

/**
 * The telemetry sample from the host figures and the cameras, fitted to the schema's ranges. CPU
 * use is unknown (null) until two samples exist; it is reported as 0 then, since the field is
 * required.
 */
export function telemetryBody(
  host: HostState,
  cameras: readonly CameraState[],
  memoryMB: number,
): TelemetryBody {
  const t = host.temperatureC;
  return {
    cpuPercent: clamp(round1(host.cpuPercent ?? 0), 0, 100),
    memoryMB: round1(Math.max(0, memoryMB)),
    temperatureC: t !== null && Number.isFinite(t) && t >= -100 && t <= 200 ? t : null,
    diskFreeMB: Math.max(0, host.diskFreeMB),
    diskTotalMB: Math.max(0, host.diskTotalMB),
    uptimeS: Math.max(0, host.uptimeS),
    cameras: cameras.slice(0, MAX_CAMERAS).map((c) => ({
      ...cameraStatusOf(c),
      fps: clamp(Number.isFinite(c.analysisFps) ? c.analysisFps : 0, 0, 1000),
    })),
  };
}

export interface TelemetryReporterOptions {
  control: Pick<CameraControl, "cameras" | "host">;
  /** Sample period (the link's default: 30 s). */
  intervalMs: number;
  /** Over MQTT; resolves false when not connected, and the HTTP heartbeat is used instead. */
  publish: (body: TelemetryBody) => Promise<boolean>;
  /** Over HTTP (`POST /api/cameras/{id}/heartbeat`), the fallback. */
  heartbeat: (body: TelemetryBody) => Promise<void>;
  log: Pick<Logger, "warn" | "debug">;
  memoryMB?: () => number;
}

/** Sends a telemetry sample every `intervalMs`: over MQTT when connected, else as an HTTP heartbeat. */
export class TelemetryReporter {
  readonly #o: TelemetryReporterOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;

  constructor(opts: TelemetryReporterOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.#o.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Send one sample now. Never throws; a tick still running makes this one a no-op. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const host = await this.#o.control.host();
      const body = telemetryBody(host, this.#o.control.cameras(), (this.#o.memoryMB ?? memoryInUseMB)());
      if (await this.#o.publish(body)) return;
      await this.#o.heartbeat(body);
    } catch (err) {
      this.#o.log.warn({ err }, "telemetry sample not sent");
    } finally {
      this.#busy = false;
    }
  }
}
