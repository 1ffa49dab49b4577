import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { ControlError } from "./control-error.js";
import { LineDecoder } from "./line-decoder.js";
import {
  type ControlMethod,
  describeIssues,
  MAX_RESPONSE_LINE_BYTES,
  type MethodParams,
  type MethodResult,
  methodResultSchemas,
  responseSchema,
} from "./protocol.js";

/** Default time limit of one call; `record` passes its own (clip length + a margin). */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

interface Pending {
  method: ControlMethod;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Why connecting failed, in words that tell the operator what to do. */
export function connectError(socketPath: string, err: unknown): ControlError {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = "is `homecam run` running with this configuration?";
  if (code === "ENOENT") {
    return new ControlError(
      "HC_ERR_CONTROL_NOT_RUNNING",
      `the agent is not running: socket ${socketPath} not found (${hint})`,
      { cause: err },
    );
  }
  if (code === "ECONNREFUSED") {
    return new ControlError(
      "HC_ERR_CONTROL_NOT_RUNNING",
      `the agent is not running: nothing answers on ${socketPath}, a socket left by an agent that did not stop cleanly (${hint})`,
      { cause: err },
    );
  }
  if (code === "EACCES" || code === "EPERM") {
    return new ControlError(
      "HC_ERR_CONTROL_PERMISSION",
      `permission denied on ${socketPath}: run this command as the agent's user (e.g. \`sudo -u homecam homecam …\`) or as root`,
      { cause: err },
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new ControlError(
    "HC_ERR_CONTROL_NOT_RUNNING",
    `cannot reach the agent on ${socketPath}: ${detail} (${hint})`,
    { cause: err },
  );
}

/**
 * A connection to the running agent's control socket. Calls may overlap; each waits for its own
 * answer (matched by id) or its time limit.
 */
export class ControlClient {
  readonly #socket: Socket;
  readonly #socketPath: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closedError: ControlError | undefined;

  private constructor(socket: Socket, socketPath: string) {
    this.#socket = socket;
    this.#socketPath = socketPath;
    const decoder = new LineDecoder(MAX_RESPONSE_LINE_BYTES);
    socket.on("data", (chunk: Buffer) => {
      const { lines, overflow } = decoder.push(chunk);
      for (const line of lines) this.#onLine(line);
      if (overflow)
        this.#fail(new ControlError("HC_ERR_CONTROL_PROTOCOL", "the agent sent an oversized line"));
    });
    socket.on("error", () => {
      // Reported through "close" to every pending call.
    });
    socket.on("close", () => {
      this.#fail(
        new ControlError(
          "HC_ERR_CONTROL_CLOSED",
          `the agent closed the connection on ${this.#socketPath} before answering (is it stopping?)`,
        ),
      );
    });
  }

  /** Connect to the agent's socket; rejects with a {@link ControlError} saying what to do. */
  static async connect(socketPath: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ControlClient> {
    const socket = connect({ path: socketPath });
    socket.setTimeout(timeoutMs);
    const settled = new AbortController();
    try {
      await Promise.race([
        once(socket, "connect", { signal: settled.signal }),
        once(socket, "timeout", { signal: settled.signal }).then(() => {
          throw new ControlError(
            "HC_ERR_CONTROL_TIMEOUT",
            `the agent accepted no connection on ${socketPath} within ${timeoutMs} ms`,
          );
        }),
      ]);
    } catch (err) {
      socket.destroy();
      throw err instanceof ControlError ? err : connectError(socketPath, err);
    } finally {
      settled.abort(); // Remove the listener of whichever event did not happen.
    }
    socket.setTimeout(0);
    return new ControlClient(socket, socketPath);
  }

  /** Call `method` and wait for its answer; a remote failure rejects with `HC_ERR_CONTROL_REMOTE`. */
  call<M extends ControlMethod>(
    method: M,
    params: MethodParams<M>,
    opts: { timeoutMs?: number } = {},
  ): Promise<MethodResult<M>> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const id = this.#nextId++;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new ControlError(
            "HC_ERR_CONTROL_TIMEOUT",
            `the agent did not answer '${method}' within ${Math.round(timeoutMs / 1000)} s`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Close the connection; calls still waiting reject with `HC_ERR_CONTROL_CLOSED`. */
  close(): void {
    this.#socket.destroy();
  }

  #onLine(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.#fail(new ControlError("HC_ERR_CONTROL_PROTOCOL", "the agent sent a line that is not JSON"));
      return;
    }
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) {
      this.#fail(
        new ControlError("HC_ERR_CONTROL_PROTOCOL", `unexpected answer: ${describeIssues(parsed.error)}`),
      );
      return;
    }
    const res = parsed.data;
    if (res.id === null || typeof res.id !== "number") {
      // The agent could not read one of our lines; it cannot say which, so every call fails.
      const message = res.ok ? "answer without an id" : `${res.error.code}: ${res.error.message}`;
      this.#fail(new ControlError("HC_ERR_CONTROL_PROTOCOL", `the agent refused a request: ${message}`));
      return;
    }
    const pending = this.#pending.get(res.id);
    if (!pending) return; // Already timed out.
    this.#pending.delete(res.id);
    clearTimeout(pending.timer);
    if (!res.ok) {
      pending.reject(
        new ControlError("HC_ERR_CONTROL_REMOTE", res.error.message, { remoteCode: res.error.code }),
      );
      return;
    }
    const result = methodResultSchemas[pending.method].safeParse(res.result);
    if (!result.success) {
      pending.reject(
        new ControlError(
          "HC_ERR_CONTROL_PROTOCOL",
          `unexpected '${pending.method}' result: ${describeIssues(result.error)}`,
        ),
      );
      return;
    }
    pending.resolve(result.data);
  }

  #fail(err: ControlError): void {
    this.#closedError ??= err;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    this.#socket.destroy();
  }
}

/** Connect, run `fn`, and always close. */
export async function withControlClient<T>(
  socketPath: string,
  fn: (client: ControlClient) => Promise<T>,
): Promise<T> {
  const client = await ControlClient.connect(socketPath);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
