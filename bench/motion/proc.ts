// Process CPU time and memory from /proc (Linux). CPU is utime + stime of all the process's threads
// (children are not included); memory is VmHWM, the peak resident set size since the process started.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Linux reports /proc/<pid>/stat times in USER_HZ ticks, which is 100 on every mainstream build. */
const TICKS_PER_S = 100;

/** CPU seconds (user + system) used so far by `pid`, or undefined once it is gone. */
export function cpuSeconds(pid: number | "self"): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

export interface Memory {
  /** Peak resident set, KiB. */
  hwmKb: number;
  /** Current resident set, KiB. */
  rssKb: number;
}

/** Peak and current resident memory of `pid`, or undefined once it is gone. */
export function memory(pid: number | "self"): Memory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { hwmKb: kb("VmHWM"), rssKb: kb("VmRSS") };
}

/**
 * Read offset of `pid`'s open descriptor on `path` (from /proc/<pid>/fdinfo; the largest when it
 * has several), or undefined. Readers go through the scene file sequentially, so the offset tells
 * how many frames they have consumed.
 */
export function filePosition(pid: number, path: string): number | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  let best: number | undefined;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== path) continue;
      const pos = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))?.[1];
      if (pos !== undefined) best = Math.max(best ?? 0, Number(pos));
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return best;
}
