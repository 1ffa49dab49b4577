import type { CheckResult } from "./check-result.js";

/** Turn the error of creating or writing the state directory into a result with a fix for that cause. */
export function judgeStateDirError(dir: string, code: string | undefined): CheckResult {
  const name = "state-dir";
  switch (code) {
    case "EACCES":
    case "EPERM":
      return {
        name,
        status: "fail",
        detail: `${dir} is not writable by this user`,
        fix: `sudo mkdir -p ${dir} && sudo chown -R "$(id -un)" ${dir} (the systemd unit's StateDirectory= does this for the service)`,
      };
    case "EROFS":
      return {
        name,
        status: "fail",
        detail: `${dir} is on a read-only file system`,
        fix: "the SD card may have been remounted read-only after errors: check `dmesg`, fsck it, or set stateDir elsewhere",
      };
    case "ENOSPC":
      return {
        name,
        status: "fail",
        detail: `no space left to write in ${dir}`,
        fix: "free space on that disk",
      };
    case "ENOTDIR":
    case "EEXIST":
      return {
        name,
        status: "fail",
        detail: `${dir} (or a parent) exists but is not a directory`,
        fix: "point stateDir at a directory",
      };
    default:
      return {
        name,
        status: "fail",
        detail: `${dir} cannot be written (${code ?? "unknown error"})`,
        fix: `check the path and its permissions: ls -ld ${dir}`,
      };
  }
}
