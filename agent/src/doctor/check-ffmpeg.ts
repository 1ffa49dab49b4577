import { execFile } from "node:child_process";
import type { CheckResult } from "./check-result.js";
import { judgeFfmpeg } from "./ffmpeg-version.js";

/** Run `ffmpeg -version` (5 s at most) and judge the result. */
export function checkFfmpeg(command = "ffmpeg"): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(command, ["-version"], { timeout: 5_000 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A non-zero exit or a kill by the timeout still counts as "could not be run".
        resolve(
          judgeFfmpeg({ errorCode: typeof code === "string" ? code : err.killed ? "timeout" : "exit" }),
        );
        return;
      }
      resolve(judgeFfmpeg({ output: stdout }));
    });
  });
}
