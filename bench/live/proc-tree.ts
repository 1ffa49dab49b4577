// CPU of a process and of its descendants (the agent's ffmpeg children), from /proc. Each process's
// own utime + stime (all threads); a child that exits inside a window takes its time with it, so
// windows are taken in a steady state where the set of processes does not change.

import { readdirSync, readFileSync } from "node:fs";
import { cpuSeconds } from "../motion/proc.js";

/** CPU seconds so far per pid: the root first, then every live descendant. */
export type CpuSnapshot = Map<number, number>;

/** Parent pid of `pid`, or undefined once it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren, …). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function snapshot(root: number): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  for (const pid of [root, ...descendants(root)]) {
    const s = cpuSeconds(pid);
    if (s !== undefined) snap.set(pid, s);
  }
  return snap;
}

/** CPU of one window, in % of one core, for the root alone and for the root with its descendants. */
export interface CpuUse {
  rootPercent: number;
  treePercent: number;
  /** Descendants alive at the end of the window. */
  children: number;
}

export function cpuBetween(root: number, before: CpuSnapshot, after: CpuSnapshot, wallS: number): CpuUse {
  let tree = 0;
  for (const [pid, s] of after) tree += s - (before.get(pid) ?? 0);
  const rootS = (after.get(root) ?? 0) - (before.get(root) ?? 0);
  return { rootPercent: (100 * rootS) / wallS, treePercent: (100 * tree) / wallS, children: after.size - 1 };
}

/** Measure `root`'s CPU over `windowMs` of wall time. */
export async function measureCpu(root: number, windowMs: number): Promise<CpuUse> {
  const t0 = performance.now();
  const before = snapshot(root);
  await new Promise((r) => setTimeout(r, windowMs));
  const after = snapshot(root);
  return cpuBetween(root, before, after, (performance.now() - t0) / 1000);
}
