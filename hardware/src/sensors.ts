/** One CPU time sample from /proc/stat's aggregate line. */
export interface CpuSample {
  busy: number;
  total: number;
}

/** Parse the aggregate `cpu` line of /proc/stat. Returns null when absent (non-Linux). */
export function parseProcStat(text: string): CpuSample | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null;
  // user nice system idle iowait irq softirq steal; idle + iowait is "not busy".
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Whole-machine CPU use between two samples, 0–100 averaged over all cores. */
export function cpuPercentBetween(a: CpuSample, b: CpuSample): number {
  const total = b.total - a.total;
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, ((b.busy - a.busy) / total) * 100));
}

/** A thermal zone as read from /sys/class/thermal/thermal_zoneN/{type,temp}. */
export interface ThermalZone {
  type: string;
  milliCelsius: string;
}

/**
 * The SoC temperature in °C: the CPU zone when one is named so (cpu-thermal on a Pi),
 * else the first readable zone; null when the host exposes none (VMs, most containers).
 */
export function pickTemperature(zones: readonly ThermalZone[]): number | null {
  const readable = zones
    .map((z) => ({ type: z.type.trim(), c: Number(z.milliCelsius.trim()) / 1000 }))
    .filter((z) => Number.isFinite(z.c) && z.c > -40 && z.c < 150);
  const cpu = readable.find((z) => /cpu|soc|x86_pkg/i.test(z.type));
  const chosen = cpu ?? readable[0];
  return chosen ? Math.round(chosen.c * 10) / 10 : null;
}

/** Raspberry Pi firmware throttling flags (`vcgencmd get_throttled`), decoded. */
export interface ThrottleState {
  underVoltage: boolean;
  throttled: boolean;
  frequencyCapped: boolean;
  softTempLimit: boolean;
  /** Any of the above happened since boot. */
  occurredSinceBoot: boolean;
}

/** Decode `throttled=0x50005`; null for anything else. */
export function parseThrottled(text: string): ThrottleState | null {
  const m = /throttled=0x([0-9a-f]+)/i.exec(text);
  if (!m?.[1]) return null;
  const v = Number.parseInt(m[1], 16);
  return {
    underVoltage: (v & 0x1) !== 0,
    frequencyCapped: (v & 0x2) !== 0,
    throttled: (v & 0x4) !== 0,
    softTempLimit: (v & 0x8) !== 0,
    occurredSinceBoot: (v & 0xf0000) !== 0,
  };
}
