import {
  type CpuSample,
  cpuPercentBetween,
  readCpuSample,
  readDisk,
  readTemperature,
} from "@homecam/hardware";
import type { StorageStatus } from "../retention/storage-guard.js";
import type { HostState } from "./control.js";

const MB = 1024 * 1024;

export interface HostMonitorOptions {
  /** The disk reported is the one holding this directory (the state directory). */
  dir: string;
  startedAt: number;
  storage?: () => StorageStatus;
  now?: () => number;
  /** Sensor readers (tests inject fixtures). */
  sensors?: {
    cpu?: () => Promise<CpuSample | null>;
    temperature?: () => Promise<number | null>;
    disk?: (dir: string) => Promise<{ freeBytes: number; totalBytes: number }>;
  };
  /** CPU use is measured between samples at least this far apart (default 1 s). */
  minCpuWindowMs?: number;
}

/**
 * Host figures for `homecam status`. CPU use needs two samples: the first comes from `prime()` (at
 * start), later ones from each call; a call soon after the previous one keeps the older sample as
 * the base, so the figure always spans at least `minCpuWindowMs`.
 */
export class HostMonitor {
  readonly #o: HostMonitorOptions;
  readonly #now: () => number;
  #base: { sample: CpuSample; at: number } | undefined;
  #lastPercent: number | null = null;

  constructor(opts: HostMonitorOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  async prime(): Promise<void> {
    const sample = await (this.#o.sensors?.cpu ?? readCpuSample)();
    if (sample) this.#base = { sample, at: this.#now() };
  }

  async read(): Promise<HostState> {
    const s = this.#o.sensors ?? {};
    const [cpu, temperatureC, disk] = await Promise.all([
      (s.cpu ?? readCpuSample)(),
      (s.temperature ?? readTemperature)(),
      (s.disk ?? readDisk)(this.#o.dir),
    ]);
    const now = this.#now();
    if (cpu) {
      if (this.#base && cpu.total > this.#base.sample.total) {
        this.#lastPercent = Math.round(cpuPercentBetween(this.#base.sample, cpu) * 10) / 10;
      }
      if (!this.#base || now - this.#base.at >= (this.#o.minCpuWindowMs ?? 1_000)) {
        this.#base = { sample: cpu, at: now };
      }
    }
    const storage = this.#o.storage?.();
    return {
      cpuPercent: this.#lastPercent,
      temperatureC,
      diskFreeMB: Math.floor(disk.freeBytes / MB),
      diskTotalMB: Math.floor(disk.totalBytes / MB),
      storage: storage
        ? { state: storage.state, ...(storage.detail !== undefined && { detail: storage.detail }) }
        : { state: "ok" },
      uptimeS: Math.max(0, Math.floor((now - this.#o.startedAt) / 1000)),
    };
  }
}
