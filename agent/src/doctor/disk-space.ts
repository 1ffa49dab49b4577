import type { CheckResult } from "./check-result.js";

/** Below this the agent cannot even write a clip or grow its database: a failure, whatever the config says. */
export const HARD_MIN_FREE_MB = 64;

const MB = 1024 * 1024;

/** Judge the free space on the state directory's file system against `storage.minFreeMB`. */
export function judgeDiskSpace(input: { dir: string; freeBytes: number; minFreeMB: number }): CheckResult {
  const freeMB = Math.floor(input.freeBytes / MB);
  const detail = `${freeMB} MB free on ${input.dir}`;
  const fix =
    "free space on that disk, lower storage.days or storage.maxDiskMB, or move stateDir to a larger disk";
  if (freeMB < HARD_MIN_FREE_MB) {
    return { name: "disk", status: "fail", detail: `${detail} (below ${HARD_MIN_FREE_MB} MB)`, fix };
  }
  if (freeMB < input.minFreeMB) {
    return {
      name: "disk",
      status: "warn",
      detail: `${detail} (below storage.minFreeMB ${input.minFreeMB})`,
      fix,
    };
  }
  return { name: "disk", status: "ok", detail };
}
