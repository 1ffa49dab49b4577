import { randomBytes } from "node:crypto";
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * A hidden temporary name beside `finalPath`: same directory, so the final `rename` stays on one
 * file system and is atomic; hidden, so a directory listing never shows a half-written clip.
 */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Make `tmpPath` durable and give it its final name: fsync the file, rename, then fsync the
 * directory so the new name itself survives a power cut (SD cards on a Pi lose power often).
 * Returns the file's size in bytes.
 */
export async function commitFile(tmpPath: string, finalPath: string): Promise<number> {
  await fsyncPath(tmpPath);
  const { size } = await stat(tmpPath);
  await rename(tmpPath, finalPath);
  await fsyncPath(dirname(finalPath));
  return size;
}

/** Remove a temporary file after a failure; a missing file is fine. */
export async function discardFile(tmpPath: string): Promise<void> {
  await rm(tmpPath, { force: true });
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
