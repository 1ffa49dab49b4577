import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** `<stateDir>/keys`, created with mode 0700. */
export async function keysDir(stateDir: string): Promise<string> {
  const dir = join(stateDir, "keys");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Read `file`, or create it with `create()` (mode 0600) when it does not exist. Safe when several
 * processes start at once on the same directory: the content is written to a temporary file first
 * and hard-linked into place, which fails if another process won; everyone then reads the winner's
 * file, never a half-written one.
 */
export async function readOrCreateSecretFile(file: string, create: () => Promise<string>): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, await create(), { mode: 0o600, flag: "wx" });
  // The umask may have cleared bits but never adds them; chmod makes 0600 explicit anyway.
  await chmod(tmp, 0o600);
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  return readFile(file, "utf8");
}
