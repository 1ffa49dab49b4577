import { readdir, readFile, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { BoardFacts } from "./board.js";
import { type CpuSample, parseProcStat, pickTemperature, type ThermalZone } from "./sensors.js";

/** Where the host's facts are read from; tests point it at captured sysfs/procfs fixtures. */
export interface HostPaths {
  proc: string;
  sys: string;
  env: NodeJS.ProcessEnv;
}

const REAL: HostPaths = { proc: "/proc", sys: "/sys", env: process.env };

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Gather what `selectBoard` needs. */
export async function readBoardFacts(paths: HostPaths = REAL): Promise<BoardFacts> {
  return {
    deviceTreeModel: await readText(join(paths.proc, "device-tree/model")),
    termux: Boolean(paths.env.TERMUX_VERSION) || (paths.env.PREFIX ?? "").includes("com.termux"),
  };
}

/** The current aggregate CPU counters, or null off Linux. */
export async function readCpuSample(paths: HostPaths = REAL): Promise<CpuSample | null> {
  const text = await readText(join(paths.proc, "stat"));
  return text ? parseProcStat(text) : null;
}

/** SoC temperature in °C, or null when the host exposes no thermal zone. */
export async function readTemperature(paths: HostPaths = REAL): Promise<number | null> {
  const base = join(paths.sys, "class/thermal");
  let names: string[];
  try {
    names = (await readdir(base)).filter((n) => n.startsWith("thermal_zone")).sort();
  } catch {
    return null;
  }
  const zones: ThermalZone[] = [];
  for (const n of names) {
    const [type, temp] = await Promise.all([
      readText(join(base, n, "type")),
      readText(join(base, n, "temp")),
    ]);
    if (temp !== undefined) zones.push({ type: type ?? n, milliCelsius: temp });
  }
  return pickTemperature(zones);
}

/** Free and total bytes of the filesystem holding `path`. */
export async function readDisk(path: string): Promise<{ freeBytes: number; totalBytes: number }> {
  const s = await statfs(path);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}
