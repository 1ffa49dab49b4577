import { randomBytes } from "node:crypto";
import { mkdir, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CheckResult } from "./check-result.js";
import { judgeStateDirError } from "./state-dir-error.js";

/**
 * Create the state directory if missing, then write, fsync and delete a probe file. The fsync
 * matters: a card that accepts writes into the page cache but fails to persist them shows up
 * only there.
 */
export async function checkStateDir(dir: string): Promise<CheckResult> {
  const probe = join(dir, `.doctor-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(probe, "wx");
    try {
      await handle.writeFile("homecam doctor probe\n");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(probe);
    return { name: "state-dir", status: "ok", detail: `${dir} is writable` };
  } catch (err) {
    await unlink(probe).catch(() => {});
    return judgeStateDirError(dir, (err as NodeJS.ErrnoException).code);
  }
}
