import type { CheckResult } from "./check-result.js";

export interface FfmpegVersion {
  major: number;
  minor: number;
  /** The version text as ffmpeg printed it, e.g. `5.1.9-0+deb12u1`. */
  raw: string;
}

/** The oldest ffmpeg the agent supports; older builds are refused here rather than failing mid-capture. */
export const MIN_FFMPEG = { major: 4, minor: 4 } as const;

const INSTALL_FIX = "sudo apt-get install -y ffmpeg (Termux: pkg install ffmpeg)";

/**
 * Parse the first line of `ffmpeg -version`. Release builds print `ffmpeg version 5.1.9-0+deb12u1`
 * or `ffmpeg version n6.0`; git snapshots print `ffmpeg version N-112345-g…`, which has no number
 * to compare (returns null).
 */
export function parseFfmpegVersion(output: string): FfmpegVersion | null {
  const match = /^ffmpeg version n?(\d+)\.(\d+)(\S*)/m.exec(output);
  if (!match) return null;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    raw: `${match[1]}.${match[2]}${match[3] ?? ""}`,
  };
}

/** Judge the outcome of running `ffmpeg -version`: its output, or the spawn error code. */
export function judgeFfmpeg(outcome: { output: string } | { errorCode: string }): CheckResult {
  const name = "ffmpeg";
  if ("errorCode" in outcome) {
    if (outcome.errorCode === "ENOENT") {
      return {
        name,
        status: "fail",
        detail: "ffmpeg is not installed (not found on PATH)",
        fix: INSTALL_FIX,
      };
    }
    return {
      name,
      status: "fail",
      detail: `ffmpeg could not be run (${outcome.errorCode})`,
      fix: "check that the ffmpeg on PATH is executable: ffmpeg -version",
    };
  }
  const version = parseFfmpegVersion(outcome.output);
  if (!version) {
    return {
      name,
      status: "warn",
      detail: "ffmpeg runs but its version could not be read (a development build?)",
      fix: `use a release build ≥ ${MIN_FFMPEG.major}.${MIN_FFMPEG.minor}: ${INSTALL_FIX}`,
    };
  }
  const tooOld =
    version.major < MIN_FFMPEG.major ||
    (version.major === MIN_FFMPEG.major && version.minor < MIN_FFMPEG.minor);
  if (tooOld) {
    return {
      name,
      status: "fail",
      detail: `ffmpeg ${version.raw} is older than ${MIN_FFMPEG.major}.${MIN_FFMPEG.minor}`,
      fix: "upgrade ffmpeg: sudo apt-get update && sudo apt-get install -y ffmpeg (or a newer OS release)",
    };
  }
  return { name, status: "ok", detail: `ffmpeg ${version.raw}` };
}
