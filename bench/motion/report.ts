// Plain-text tables of the results. Pure: strings in, strings out.

import { scoreEvents } from "../../agent/test/integration/motion/score.js";
import type { KernelLine } from "./kernel-side.js";
import type { Scene } from "./scene.js";
import { cpuPer1000, type SideResult, totalPeakKb } from "./types.js";

/** The issue's targets for our/Motion CPU per frame, by scene. */
export const CPU_RATIO_TARGET: Record<Scene["key"], number> = { "360p": 1.0, "1080p": 0.6 };
export const KERNEL_TARGET_NS = 3;

export interface SceneResults {
  scene: Scene;
  motion: SideResult;
  ours: SideResult[];
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function sideRow(scene: Scene, r: SideResult): string[] {
  const s = scoreEvents(scene.truth, r.events);
  const cpu = cpuPer1000(r);
  const cores = (cpu / 1000) * scene.fps * 100;
  const mem =
    r.processes.length > 1
      ? `${mb(totalPeakKb(r))} (${r.processes.map((p) => mb(p.peakRssKb)).join("+")})`
      : mb(totalPeakKb(r));
  const cpuSplit =
    r.processes.length > 1
      ? ` (${r.processes.map((p) => ((1000 * p.cpuSeconds) / r.windowFrames).toFixed(2)).join("+")})`
      : "";
  return [
    r.label,
    `${cpu.toFixed(2)}${cpuSplit}`,
    `${cores.toFixed(1)} %`,
    mem,
    `${r.events.length} / ${scene.truth.length}`,
    `${s.tp}/${s.fp}/${s.fn}`,
    s.precision.toFixed(2),
    s.recall.toFixed(2),
    s.f1.toFixed(2),
    String(Math.round(r.windowFrames)),
  ];
}

export function formatScene(res: SceneResults): string {
  const { scene, motion, ours } = res;
  const head = `${scene.key}: ${scene.width}x${scene.height} ${scene.fps} fps H.264 ${scene.bitrateKbps} kbit/s, GOP ${scene.gopSeconds} s, ${scene.frames} frames; object in view ${scene.truth.map((t) => `${t.startMs / 1000}-${t.endMs / 1000} s`).join(", ")}`;
  const rows = [sideRow(scene, motion), ...ours.map((o) => sideRow(scene, o))];
  const t = table(
    [
      "side",
      "CPU-s/1000 frames",
      "of 1 core",
      "peak RSS MB",
      "events/truth",
      "TP/FP/FN",
      "P",
      "R",
      "F1",
      "frames",
    ],
    rows,
  );
  const ratios = ours.map((o) => {
    const cpu = cpuPer1000(o) / cpuPer1000(motion);
    const mem = totalPeakKb(o) / totalPeakKb(motion);
    const target = CPU_RATIO_TARGET[scene.key];
    const verdict =
      o === ours[0] ? `  target <= ${target.toFixed(2)}: ${cpu <= target ? "MET" : "MISSED"}` : "";
    return `  ${o.label} / Motion: CPU ${cpu.toFixed(2)}x, peak memory ${mem.toFixed(2)}x${verdict}`;
  });
  const notes = [motion, ...ours].flatMap((r) => r.notes.map((n) => `  ${r.label}: ${n}`));
  return [head, t, ...ratios, ...notes].join("\n");
}

export function formatKernel(lines: KernelLine[]): string {
  return lines
    .map(
      (k) =>
        `detector kernel ${k.size} (analysed at ${k.analysis}): ${k.ns_per_pixel.toFixed(2)} ns/pixel with motion, ` +
        `${k.idle_ns_per_pixel.toFixed(2)} idle, ${k.frames_per_s} frames/s; target <= ${KERNEL_TARGET_NS}: ` +
        `${k.ns_per_pixel <= KERNEL_TARGET_NS ? "MET" : "MISSED"}`,
    )
    .join("\n");
}
