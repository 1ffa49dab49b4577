// Debian's `motion` on a scene, as the reference side.
//
// File feed (default), as performance.md §3 found to work: `netcam_url file://…` (libavformat, the
// same code path as RTSP) with `netcam_params capture_rate=<fps>`, which pins reading to the source
// rate. RTSP feed: `netcam_url rtsp://…` from the local RTSP server (TCP, Motion's default). No
// picture, movie, stream or web-control output; events reach us through on_event_start/on_event_end
// hooks that append a wall-clock stamp to a file, mapped to file time by the reader's progress.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Scene } from "./scene.js";
import { type Feed, type Interval, rtspUrl, type SideResult } from "./types.js";
import { measureWindow } from "./window.js";

export interface MotionSideOptions {
  scene: Scene;
  /** Working directory for config, log and hook output (recreated). */
  dir: string;
  /** Seconds without motion that end an event; the product's default eventGapSeconds is 5. */
  eventGapS: number;
  feed: Feed;
  motionPath?: string;
}

/** Motion's config for a scene. Exported for the smoke test and for reading. */
export function motionConfig(o: MotionSideOptions): string {
  const { scene, dir } = o;
  const events = join(dir, "events.txt");
  // Changed-pixel threshold 500 at 640x360 (performance.md §3.1), scaled by frame area.
  const threshold = Math.round((500 * scene.width * scene.height) / (640 * 360));
  const stamp = (what: string) => `echo ${what} $(date +%%s.%%N) >> ${events}`;
  return [
    "daemon off",
    "setup_mode off",
    `log_file ${join(dir, "motion.log")}`,
    "log_level 6",
    `target_dir ${join(dir, "out")}`,
    ...(o.feed.kind === "file"
      ? [`netcam_url file://${scene.file}`, `netcam_params capture_rate=${scene.fps}`]
      : [`netcam_url ${rtspUrl(o.feed, scene.key)}`]),
    `width ${scene.width}`,
    `height ${scene.height}`,
    `framerate ${scene.fps}`,
    `threshold ${threshold}`,
    "noise_tune on",
    "despeckle_filter EedDl",
    "minimum_motion_frames 2",
    `event_gap ${o.eventGapS}`,
    "pre_capture 0",
    "post_capture 0",
    "picture_output off",
    "movie_output off",
    "snapshot_interval 0",
    "webcontrol_port 0",
    "stream_port 0",
    "text_right ",
    "text_left ",
    `on_event_start ${stamp("start")}`,
    `on_event_end ${stamp("end")}`,
    "",
  ].join("\n");
}

export async function runMotionSide(o: MotionSideOptions): Promise<SideResult> {
  const { scene, dir } = o;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "out"), { recursive: true });
  const conf = join(dir, "motion.conf");
  writeFileSync(conf, motionConfig(o));

  const child = spawn(o.motionPath ?? "motion", ["-n", "-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const failed = exited.then((): never => {
    throw new Error(`motion exited early: ${stderr.trim()} (log: ${join(dir, "motion.log")})`);
  });
  failed.catch(() => {}); // awaited by measureWindow; unobserved after a normal stop
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start motion: ${stderr}`);

  try {
    const readerPid = o.feed.kind === "file" ? pid : o.feed.serverPid;
    const win = await measureWindow({ scene, readerPid, processes: [{ name: "motion", pid }], failed });
    // Let the last event's end hook fire: it comes event_gap after the last motion.
    await sleep(Math.max(0, win.endAtMs - Date.now()) + o.eventGapS * 1000 + 1500);
    const { fileTime, ...usage } = win;
    return {
      label: "Motion 4.5 (Debian)",
      ...usage,
      events: readEvents(join(dir, "events.txt"), fileTime, o),
      notes: [
        `${o.feed.kind} feed: ${(win.windowFrames / win.windowSeconds).toFixed(2)} frames/s in the window`,
      ],
    };
  } finally {
    await stop(child, exited);
  }
}

/** Hook stamps → events in file time. An end stamp comes event_gap after the last motion. */
function readEvents(file: string, fileTime: (wallMs: number) => number, o: MotionSideOptions): Interval[] {
  if (!existsSync(file)) return [];
  const durationMs = (o.scene.frames / o.scene.fps) * 1000;
  const events: Interval[] = [];
  let open: number | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [what, stamp] = line.trim().split(" ");
    const wall = Number(stamp) * 1000;
    if (!Number.isFinite(wall)) continue;
    if (what === "start") open = fileTime(wall);
    else if (what === "end" && open !== undefined) {
      events.push({ startMs: open, endMs: Math.max(open, fileTime(wall - o.eventGapS * 1000)) });
      open = undefined;
    }
  }
  if (open !== undefined) events.push({ startMs: open, endMs: durationMs });
  // Only the first pass over the file counts (a file feed loops).
  return events.filter((e) => e.startMs < durationMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
