import { once } from "node:events";
import { chmod, lstat, unlink } from "node:fs/promises";
import { connect, type Server } from "node:net";
import { isMainThread } from "node:worker_threads";
import { ControlError } from "./control-error.js";

/** Longest Unix socket path: `sun_path` is 108 bytes on Linux (104 on the BSDs), NUL included. */
export const MAX_SOCKET_PATH_BYTES = process.platform === "linux" ? 107 : 103;

/** Owner read/write only. */
export const SOCKET_MODE = 0o600;

/** What a connection attempt to an existing socket file found. */
export type SocketProbe = "answers" | "refused" | "missing";

/**
 * Try to connect to `path`: `answers` when something accepts, `refused` when the file exists but
 * nothing listens (a socket left behind by a crash), `missing` when there is no file. Other errors
 * (EACCES: another user's socket) are thrown.
 */
export async function probeSocket(path: string, timeoutMs = 1_000): Promise<SocketProbe> {
  const socket = connect({ path });
  socket.setTimeout(timeoutMs);
  try {
    const result = await Promise.race([
      once(socket, "connect").then(() => "answers" as const),
      // A listener too busy to accept within the timeout is still a listener.
      once(socket, "timeout").then(() => "answers" as const),
    ]);
    return result;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED") return "refused";
    if (code === "ENOENT") return "missing";
    throw err;
  } finally {
    socket.destroy();
  }
}

/**
 * Make `path` free for a new listener: nothing there is fine; a socket nobody answers on is a
 * leftover of a crash and is removed; a socket that answers belongs to a running agent and is left
 * alone (throws `HC_ERR_CONTROL_IN_USE`); anything that is not a socket is never deleted.
 */
export async function clearStaleSocket(path: string): Promise<"none" | "removed-stale"> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "none";
    throw err;
  }
  if (!isSocket) {
    throw new ControlError(
      "HC_ERR_CONTROL_SOCKET_PATH",
      `${path} exists and is not a socket; move it away so the agent can create its control socket`,
    );
  }
  let probe: SocketProbe;
  try {
    probe = await probeSocket(path);
  } catch (err) {
    throw new ControlError("HC_ERR_CONTROL_SOCKET_PATH", `cannot check the existing socket ${path}`, {
      cause: err,
    });
  }
  if (probe === "answers") {
    throw new ControlError(
      "HC_ERR_CONTROL_IN_USE",
      `another homecam agent already answers on ${path}; two agents cannot share one state directory`,
    );
  }
  if (probe === "missing") return "none";
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return "removed-stale";
}

/**
 * Listen on the Unix socket `path` so that only the owning user can connect: the socket is created
 * under umask 0177 (so it is never accessible to others, not even between bind and chmod) and then
 * chmod'ed to 0600 in case the file system ignored the umask.
 *
 * The umask is process-wide. `listen()` binds synchronously, so no other JavaScript runs while the
 * mask is set; a file another thread creates in that instant would only be more private than meant.
 */
export async function listenPrivately(server: Server, path: string, signal: AbortSignal): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new ControlError(
      "HC_ERR_CONTROL_SOCKET_PATH",
      `the control socket path ${path} is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a Unix socket allows; use a shorter stateDir`,
    );
  }
  // Worker threads may not change the umask; chmod below still applies there.
  const previous = isMainThread ? process.umask(0o177) : undefined;
  try {
    server.listen({ path, exclusive: true });
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
  try {
    await once(server, "listening", { signal });
  } catch (err) {
    server.close();
    throw err;
  }
  await chmod(path, SOCKET_MODE);
}
