import type { BoardChoice } from "@homecam/hardware";
import type { CameraConfig } from "@homecam/shared";
import { buildCaptureCommand } from "../capture/ffmpeg-args.js";

/** One camera in the start-up status line. */
export interface CameraSummary {
  id: string;
  source: string;
  /** The capture plan's `recording`: stream copy of an H.264 source, or libx264 re-encoding. */
  recording: "copy" | "libx264" | "after-connect" | "unavailable" | "disabled";
  /** Analysis frames, e.g. `320x180 @ 5 fps` (`320 wide` when the source size is probed). */
  analysis?: string;
  motion: boolean;
  clips: boolean;
}

export interface StartupSummary {
  board: { id: string; name: string; reason: string };
  cameras: CameraSummary[];
  /** The same as one human line. */
  text: string;
}

/**
 * Pure: what the start-up log line says about the board and each camera. The recording mode comes
 * from the same command builder capture uses (the ring path is irrelevant to the decision); an ONVIF
 * camera's codec is known only once it answers.
 */
export function startupSummary(cameras: readonly CameraConfig[], board: BoardChoice): StartupSummary {
  const list = cameras.map((c): CameraSummary => {
    const base = { id: c.id, source: c.source.type, motion: c.motion.enabled, clips: c.recording.enabled };
    if (!c.enabled) return { ...base, recording: "disabled" };
    if (c.source.type === "onvif") return { ...base, recording: "after-connect" };
    const built = buildCaptureCommand(c, { ringDir: "ring", startNumber: 0 });
    if (!built.ok) return { ...base, recording: "unavailable" };
    const a = built.plan.analysis;
    const analysis = a && `${a.width}${a.height ? `x${a.height}` : " wide"} @ ${a.fps} fps`;
    return { ...base, recording: built.plan.recording, ...(analysis && { analysis }) };
  });
  const words: Record<CameraSummary["recording"], string> = {
    copy: "recording by stream copy",
    libx264: "recording re-encoded with libx264",
    "after-connect": "recording mode decided when the camera answers",
    unavailable: "cannot be captured",
    disabled: "disabled",
  };
  const parts = list.map(
    (c) =>
      `${c.id}: ${c.source} source, ${words[c.recording]}` +
      (c.analysis ? `, analysis ${c.analysis}` : "") +
      (c.recording !== "disabled" && !c.motion ? ", motion off" : "") +
      (c.recording !== "disabled" && !c.clips ? ", clips off" : ""),
  );
  const b = board.profile;
  return {
    board: { id: b.id, name: b.name, reason: board.reason },
    cameras: list,
    text: `board ${b.name} (${board.reason}); ${list.length ? parts.join("; ") : "no cameras configured"}`,
  };
}
