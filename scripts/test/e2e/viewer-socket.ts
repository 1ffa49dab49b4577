import { type ViewerEvent, viewerAuthOkSchema, viewerEventSchema } from "@homecam/shared";
import { WebSocket } from "ws";

/** An event as received, with when it arrived (performance.now()). */
export interface Received {
  event: ViewerEvent;
  at: number;
}

/**
 * A viewer's push socket (`/api/ws`), as the web app opens it: `auth` with the access token first,
 * then every event is kept in arrival order so a test can wait for one or assert that none came.
 */
export class ViewerSocket {
  readonly received: Received[] = [];
  /** Messages that are neither `auth.ok` nor a valid viewer event (the contract says none). */
  readonly invalid: string[] = [];
  /** The socket's last error, if any. */
  lastError: Error | undefined;
  readonly #ws: WebSocket;
  #closed = false;
  readonly #waiters = new Set<() => void>();
  /** Called on every `auth.ok` (the first one completes {@link open}). */
  #onAuthOk: () => void = () => {};

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const text = data.toString();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const event = viewerEventSchema.safeParse(json);
      if (event.success) this.received.push({ event: event.data, at: performance.now() });
      else if (viewerAuthOkSchema.safeParse(json).success) this.#onAuthOk();
      else this.invalid.push(text);
      for (const wake of this.#waiters) wake();
    });
    // Without a listener an 'error' would be thrown; the close that follows ends every wait.
    ws.on("error", (err) => {
      this.lastError = err;
    });
    ws.on("close", () => {
      this.#closed = true;
      for (const wake of this.#waiters) wake();
    });
  }

  /** Connect to `<cloud>/api/ws` and authenticate; resolves once the hub answered `auth.ok`. */
  static async open(cloudUrl: string, accessToken: string, timeoutMs = 10_000): Promise<ViewerSocket> {
    const ws = new WebSocket(`${cloudUrl.replace(/^http/, "ws")}/api/ws`);
    const socket = new ViewerSocket(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("viewer socket: no auth.ok in time")), timeoutMs);
      ws.once("error", reject);
      ws.once("close", (code, reason) => reject(new Error(`viewer socket closed: ${code} ${reason}`)));
      ws.once("open", () => ws.send(JSON.stringify({ type: "auth", token: accessToken })));
      socket.#onAuthOk = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return socket;
  }

  /** A position in the stream: later waits can look only at events after it. */
  mark(): number {
    return this.received.length;
  }

  /** Events from `from` (a {@link mark}) on that match `match`. */
  since(from: number, match: (e: ViewerEvent) => boolean = () => true): Received[] {
    return this.received.slice(from).filter((r) => match(r.event));
  }

  /** The first event at or after `from` that matches; fails after `timeoutMs` or if the socket closes. */
  async next(
    what: string,
    match: (e: ViewerEvent) => boolean,
    { from = 0, timeoutMs = 30_000 } = {},
  ): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.since(from, match)[0];
      if (found) return found;
      if (this.#closed) throw new Error(`viewer socket closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.since(from).map((r) => r.event.type);
        throw new Error(`no ${what} within ${timeoutMs} ms (received: ${seen.join(", ") || "nothing"})`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  close(): void {
    if (!this.#closed) this.#ws.close();
  }
}

/** A `device.status` event of `deviceId` with this status. */
export function deviceStatus(deviceId: string, status: "online" | "offline") {
  return (e: ViewerEvent): boolean =>
    e.type === "device.status" && e.deviceId === deviceId && e.status === status;
}
