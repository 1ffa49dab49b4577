import { type ViewerAuthOk, type ViewerEvent, viewerHelloSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { RawData, WebSocket } from "ws";
import type { Clock } from "../security/clock.js";
import type { AuthenticatedViewer } from "./viewer-auth.js";

/** Close code: not authenticated in time, bad or expired token (the HTTP 401 of a socket). */
export const WS_CLOSE_UNAUTHORIZED = 4401;

/** A viewer socket does not buffer more than this for a slow reader before it is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Events held while the first status snapshot is being read. */
const MAX_PENDING = 1000;

export interface ViewerSessionHooks {
  clock: Clock;
  log: Logger;
  authTimeoutMs: number;
  verify(token: string): Promise<AuthenticatedViewer>;
  /** First successful auth: register the session, answer its current device statuses. */
  opened(session: ViewerSession): Promise<ViewerEvent[]>;
  closed(session: ViewerSession): void;
}

/**
 * One viewer socket: `auth` first (within `authTimeoutMs`), then events. The access token's expiry
 * closes the socket (4401) unless the viewer sent `auth` with a fresh token of the same user.
 * Events pushed while the first snapshot is read are held and sent after it, so a viewer never
 * sees a newer status overwritten by an older snapshot.
 */
export class ViewerSession {
  userId: string | null = null;
  name = "";
  /** Devices this user holds a grant on, as far as the hub knows (for `watching`). */
  readonly devices = new Set<string>();
  /** Answered the last ping (the hub drops sockets that stop answering). */
  alive = true;
  private ready = false;
  private pending: ViewerEvent[] = [];
  private expiry: NodeJS.Timeout | undefined;
  private readonly authTimer: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    private readonly hooks: ViewerSessionHooks,
  ) {
    this.authTimer = setTimeout(
      () => this.close(WS_CLOSE_UNAUTHORIZED, "authenticate first"),
      hooks.authTimeoutMs,
    );
    ws.on("message", (data, isBinary) => {
      // One message at a time: a renewal never races the first auth.
      this.work = this.work.then(() => this.onMessage(data, isBinary));
    });
    ws.on("pong", () => {
      this.alive = true;
    });
    ws.on("error", (err) => hooks.log.debug({ err: err.message }, "viewer socket error"));
    ws.on("close", () => {
      clearTimeout(this.authTimer);
      clearTimeout(this.expiry);
      hooks.closed(this);
    });
  }

  /** Send an event (held until the first snapshot went out). */
  push(event: ViewerEvent): void {
    if (!this.ready) {
      if (this.userId !== null && this.pending.length < MAX_PENDING) this.pending.push(event);
      return;
    }
    this.send(event);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, reason);
    }
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const hello = isBinary ? null : viewerHelloSchema.safeParse(parseJson(data.toString()));
    if (!hello?.success) {
      // Before auth anything else is a refusal; afterwards unknown messages are ignored.
      if (this.userId === null) this.close(WS_CLOSE_UNAUTHORIZED, "the first message must be auth");
      return;
    }
    let viewer: AuthenticatedViewer;
    try {
      viewer = await this.hooks.verify(hello.data.token);
    } catch (err) {
      this.hooks.log.info({ userId: this.userId, reason: (err as Error).message }, "viewer auth refused");
      this.close(WS_CLOSE_UNAUTHORIZED, "invalid token");
      return;
    }
    if (this.userId !== null && viewer.userId !== this.userId) {
      this.close(WS_CLOSE_UNAUTHORIZED, "token of another user");
      return;
    }
    this.armExpiry(viewer.expiresAt);
    const first = this.userId === null;
    this.userId = viewer.userId;
    this.name = viewer.name;
    clearTimeout(this.authTimer);
    const ok: ViewerAuthOk = {
      type: "auth.ok",
      userId: viewer.userId,
      expiresAt: new Date(viewer.expiresAt).toISOString(),
    };
    if (!first) {
      this.send(ok);
      return;
    }
    let snapshot: ViewerEvent[];
    try {
      snapshot = await this.hooks.opened(this);
    } catch (err) {
      this.hooks.log.error({ err }, "viewer snapshot failed");
      this.close(1011, "internal error");
      return;
    }
    this.send(ok);
    for (const event of [...snapshot, ...this.pending]) this.send(event);
    this.pending = [];
    this.ready = true;
  }

  private armExpiry(expiresAt: number): void {
    clearTimeout(this.expiry);
    const delay = Math.max(0, expiresAt - this.hooks.clock.now());
    this.expiry = setTimeout(() => this.close(WS_CLOSE_UNAUTHORIZED, "token expired"), delay);
  }

  private send(message: ViewerEvent | ViewerAuthOk): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.hooks.log.warn({ userId: this.userId }, "viewer socket too slow: dropped");
      this.ws.terminate();
      return;
    }
    this.ws.send(JSON.stringify(message));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
