import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "@homecam/shared/node";
import type { CameraControl } from "../camera/control.js";
import type { LocalPairingControl } from "../lan-pairing/local-pairing.js";
import type { AgentModule } from "../module.js";
import { LineDecoder } from "./line-decoder.js";
import { type ControlPairing, controlMethods, errorBodyFor, type MethodTable } from "./methods.js";
import {
  type ControlErrorBody,
  type ControlResponse,
  describeIssues,
  isControlMethod,
  MAX_IN_FLIGHT_PER_CONNECTION,
  MAX_REQUEST_LINE_BYTES,
  methodParamsSchemas,
  type RequestId,
  requestSchema,
} from "./protocol.js";
import { clearStaleSocket, listenPrivately } from "./socket-file.js";

// Who may use this channel: whoever can connect to `<stateDir>/control.sock`. The socket is created
// 0600 inside the state directory (0700, owned by the agent's user under systemd), so only that
// user and root can reach it — the same people who can already read the database, the clips and
// the device key in that directory. The kernel's file permissions are the authentication, so no
// token is asked here. The LAN HTTP API is different: anyone on the network can reach it, and it
// keeps requiring a token on every route but /health.

export interface ControlServerDeps {
  /** Usually `controlSocketPath(config.stateDir)`. */
  socketPath: string;
  control: CameraControl;
  /** `pair.start` / `pair.status`; absent when the cloud is disabled (they answer a coded error). */
  pairing?: ControlPairing;
  /** `pair.local`, `viewers.*`: LAN pairing without a cloud. */
  localPairing?: LocalPairingControl;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /** Longest request line accepted; defaults to {@link MAX_REQUEST_LINE_BYTES} (tests lower it). */
  maxLineBytes?: number;
}

interface Connection {
  socket: Socket;
  /** Requests in progress, by id: aborted when the client goes away or the agent stops. */
  inFlight: Map<RequestId, AbortController>;
}

/** The local control socket as an agent module: `homecam status`, `snapshot`, `record`, `pair` use it. */
export class ControlServer implements AgentModule {
  readonly name = "control-server";
  readonly #deps: ControlServerDeps;
  readonly #methods: MethodTable;
  readonly #connections = new Set<Connection>();
  #server: Server | undefined;

  constructor(deps: ControlServerDeps) {
    this.#deps = deps;
    this.#methods = controlMethods(deps.control, deps.pairing, deps.localPairing);
  }

  get socketPath(): string {
    return this.#deps.socketPath;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { socketPath, log } = this.#deps;
    // Only a socket nobody answers on is removed: a second agent on the same state directory must
    // fail here rather than steal the first one's socket.
    if ((await clearStaleSocket(socketPath)) === "removed-stale") {
      log.warn({ socketPath }, "removed a stale control socket left by an agent that did not stop cleanly");
    }
    // Not half-open: a client closing its side is gone (a CLI interrupted with Ctrl-C), and what it
    // asked for is cancelled. A client keeps the connection open until its answers arrive.
    const server = createServer({ allowHalfOpen: false }, (socket) => this.#accept(socket));
    server.maxConnections = 32;
    await listenPrivately(server, socketPath, signal);
    this.#server = server;
    log.info({ socketPath }, "control socket listening");
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // Closing the listener also unlinks the socket file (libuv does it for Unix sockets).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const conn of this.#connections) {
      for (const ctl of conn.inFlight.values()) ctl.abort(new Error("the agent is stopping"));
      conn.socket.destroy();
    }
    this.#connections.clear();
    await closed;
  }

  #accept(socket: Socket): void {
    const conn: Connection = { socket, inFlight: new Map() };
    this.#connections.add(conn);
    const decoder = new LineDecoder(this.#deps.maxLineBytes ?? MAX_REQUEST_LINE_BYTES);
    socket.on("data", (chunk: Buffer) => {
      const { lines, overflow } = decoder.push(chunk);
      for (const line of lines) this.#handleLine(conn, line);
      if (overflow) {
        this.#deps.log.warn("control request line too long: connection closed");
        this.#send(conn, null, {
          code: "E_PAYLOAD_TOO_LARGE",
          message: `request line longer than ${this.#deps.maxLineBytes ?? MAX_REQUEST_LINE_BYTES} bytes`,
        });
        this.#cancelAll(conn, "the request stream was refused");
        socket.end();
        // The client has a moment to read the answer; then the connection goes, read or not.
        socket.setTimeout(1_000, () => socket.destroy());
      }
    });
    socket.on("end", () => this.#cancelAll(conn, "the client disconnected"));
    socket.on("error", (err) => this.#deps.log.debug({ err }, "control connection error"));
    socket.on("close", () => {
      // Nobody is left to receive the answers: cancel what this client asked for.
      this.#cancelAll(conn, "the client disconnected");
      this.#connections.delete(conn);
    });
  }

  #cancelAll(conn: Connection, reason: string): void {
    for (const ctl of conn.inFlight.values()) ctl.abort(new Error(reason));
    conn.inFlight.clear();
  }

  #handleLine(conn: Connection, line: string): void {
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.#send(conn, null, { code: "E_BAD_REQUEST", message: "the line is not valid JSON" });
      return;
    }
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      const id = requestSchema.shape.id.safeParse((raw as { id?: unknown } | null)?.id);
      this.#send(conn, id.success ? id.data : null, {
        code: "E_BAD_REQUEST",
        message: `not a request: ${describeIssues(parsed.error)}`,
      });
      return;
    }
    const { id, method, params } = parsed.data;
    if (!isControlMethod(method)) {
      this.#send(conn, id, {
        code: "E_NOT_IMPLEMENTED",
        message: `unknown method '${method}'; this agent knows ${Object.keys(methodParamsSchemas).join(", ")}`,
      });
      return;
    }
    if (conn.inFlight.has(id)) {
      this.#send(conn, id, { code: "E_CONFLICT", message: `request id ${id} is already in progress` });
      return;
    }
    if (conn.inFlight.size >= MAX_IN_FLIGHT_PER_CONNECTION) {
      this.#send(conn, id, {
        code: "E_RATE_LIMITED",
        message: `at most ${MAX_IN_FLIGHT_PER_CONNECTION} requests may be in progress per connection`,
      });
      return;
    }
    const checked = methodParamsSchemas[method].safeParse(params ?? {});
    if (!checked.success) {
      this.#send(conn, id, { code: "E_VALIDATION", message: describeIssues(checked.error) });
      return;
    }
    const ctl = new AbortController();
    conn.inFlight.set(id, ctl);
    this.#deps.log.debug({ id, method }, "control request");
    // The table is indexed by a union here; each handler validated its own params just above.
    const handler = this.#methods[method] as (p: unknown, s: AbortSignal) => Promise<unknown>;
    // Through a promise so that a handler throwing synchronously is answered, not a crash.
    new Promise<unknown>((resolve) => resolve(handler(checked.data, ctl.signal))).then(
      (result) => {
        if (conn.inFlight.get(id) !== ctl) return;
        conn.inFlight.delete(id);
        this.#write(conn, { id, ok: true, result });
      },
      (err: unknown) => {
        if (conn.inFlight.get(id) !== ctl) return;
        conn.inFlight.delete(id);
        const body = errorBodyFor(err);
        if (body.code === "E_INTERNAL") this.#deps.log.warn({ err, method }, "control request failed");
        this.#send(conn, id, body);
      },
    );
  }

  #send(conn: Connection, id: RequestId | null, error: ControlErrorBody): void {
    this.#write(conn, { id, ok: false, error });
  }

  #write(conn: Connection, response: ControlResponse): void {
    if (conn.socket.destroyed || !conn.socket.writable) return;
    conn.socket.write(`${JSON.stringify(response)}\n`);
  }
}
