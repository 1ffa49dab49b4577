import { existsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { CheckResult } from "./check-result.js";
import { judgeDiskSpace } from "./disk-space.js";

/** Free space (for unprivileged writers: `bavail`) on the file system holding `dir`. */
export async function checkDisk(dir: string, minFreeMB: number): Promise<CheckResult> {
  // The state directory may not exist yet (its own check reports that); measure the disk it would be on.
  const target = nearestExisting(resolve(dir));
  try {
    const s = await statfs(target);
    return judgeDiskSpace({ dir, freeBytes: s.bavail * s.bsize, minFreeMB });
  } catch (err) {
    return {
      name: "disk",
      status: "warn",
      detail: `free space on ${target} could not be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      fix: `check the path: df -h ${target}`,
    };
  }
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}
