import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ViewerEvent } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import { type WebSocket, WebSocketServer } from "ws";
import type { Authenticator } from "../api/principal.js";
import type { CloudDatabase } from "../db/schema.js";
import { PresenceStore } from "../presence/presence-store.js";
import type { ViewerPush } from "../rendezvous/context.js";
import type { Clock } from "../security/clock.js";
import { authenticateViewer } from "./viewer-auth.js";
import { ViewerSession } from "./viewer-session.js";

/** Path of the viewer push socket on the cloud's HTTP server. */
export const VIEWER_WS_PATH = "/api/ws";

export interface ViewerHubDeps {
  db: Kysely<CloudDatabase>;
  /** The accounts authenticator (access tokens; API keys are refused). */
  authenticate: Authenticator;
  clock: Clock;
  log: Logger;
  /** How long a new socket has to send `auth`. Default 5000 ms. */
  authTimeoutMs?: number;
  /** Largest message a viewer may send (the `auth` message is all there is). Default 4 KiB. */
  maxPayloadBytes?: number;
  /** Sockets that do not answer a ping within this interval are dropped. Default 30 s. */
  pingIntervalMs?: number;
}

/** Told when a user lost their grant on a device (live sessions close on it). */
export type RevokedListener = (userId: string, deviceId: string) => void;

/** A user with a viewer socket open. */
export interface Watcher {
  userId: string;
  name: string;
}

/**
 * The viewer WebSocket hub at `/api/ws`: authenticates each socket with an access token (first
 * message), sends the current status of the user's devices, then pushes events ({@link ViewerPush}).
 * Construct it early (presence and routes need it as their push target), attach it to the HTTP
 * server once there is one.
 */
export class ViewerHub implements ViewerPush {
  private readonly log: Logger;
  private readonly wss: WebSocketServer;
  private readonly store: PresenceStore;
  private readonly byUser = new Map<string, Set<ViewerSession>>();
  private readonly sockets = new Set<ViewerSession>();
  private readonly revokedListeners = new Set<RevokedListener>();
  private readonly pingTimer: NodeJS.Timeout;
  private detach: (() => void) | undefined;

  constructor(private readonly deps: ViewerHubDeps) {
    this.log = moduleLogger(deps.log, "viewer-hub");
    this.store = new PresenceStore(deps.db);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayloadBytes ?? 4096 });
    this.pingTimer = setInterval(() => this.ping(), deps.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  /** Serve `/api/ws` on `server` (its `upgrade` event). */
  attach(server: Server): void {
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => {});
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path !== VIEWER_WS_PATH) {
        // Another module may serve this path; refuse only when nobody else listens.
        if (server.listenerCount("upgrade") <= 1) {
          socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        }
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    };
    server.on("upgrade", onUpgrade);
    this.detach = () => server.off("upgrade", onUpgrade);
  }

  toUsers(userIds: readonly string[], event: ViewerEvent): void {
    try {
      if (event.type === "grant.added") this.track(event.userId, event.deviceId, true);
      for (const userId of new Set(userIds)) {
        // Device events go to grant holders: their sessions now know the device — or forget it.
        // A notification belongs to its user and says nothing about what the session may see.
        if (event.type !== "notification.created") {
          const gone =
            event.type === "device.removed" || (event.type === "grant.revoked" && event.userId === userId);
          this.track(userId, event.deviceId, !gone);
        }
        for (const session of this.byUser.get(userId) ?? []) session.push(event);
      }
    } catch (err) {
      this.log.error({ err, type: event.type }, "viewer push failed");
    }
  }

  revoked(userId: string, deviceId: string): void {
    this.track(userId, deviceId, false);
    const event: ViewerEvent = { type: "grant.revoked", deviceId, userId, at: this.deps.clock.now() };
    for (const session of this.byUser.get(userId) ?? []) session.push(event);
    for (const listener of this.revokedListeners) {
      try {
        listener(userId, deviceId);
      } catch (err) {
        this.log.error({ err, deviceId }, "revocation listener failed");
      }
    }
  }

  /** Be told of every revocation (live sessions of that user on that device must end). */
  onRevoked(listener: RevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => {
      this.revokedListeners.delete(listener);
    };
  }

  /** Users with a socket open who hold a grant on `deviceId`. */
  watching(deviceId: string): Watcher[] {
    const watchers = new Map<string, Watcher>();
    for (const session of this.sockets) {
      if (session.userId !== null && session.devices.has(deviceId)) {
        watchers.set(session.userId, { userId: session.userId, name: session.name });
      }
    }
    return [...watchers.values()];
  }

  /** Number of authenticated sockets (metrics, tests). */
  openSockets(): number {
    let n = 0;
    for (const s of this.sockets) if (s.userId !== null) n++;
    return n;
  }

  /**
   * Stop accepting, close every socket (1001) and stop the pings. Resolves once every socket is
   * closed — cut after 1 s if a viewer does not finish the closing handshake — so the HTTP server
   * can close after it (upgraded sockets keep `server.close()` waiting).
   */
  async close(): Promise<void> {
    this.detach?.();
    clearInterval(this.pingTimer);
    const sessions = [...this.sockets];
    const closed = Promise.all(
      sessions.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ws.readyState === s.ws.CLOSED) resolve();
            else s.ws.once("close", () => resolve());
          }),
      ),
    );
    for (const session of sessions) session.close(1001, "server shutting down");
    const cut = setTimeout(() => {
      for (const session of sessions) session.ws.terminate();
    }, 1000);
    await closed;
    clearTimeout(cut);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const session = new ViewerSession(ws, {
      clock: this.deps.clock,
      log: this.log,
      authTimeoutMs: this.deps.authTimeoutMs ?? 5000,
      verify: (token) => authenticateViewer(this.deps.authenticate, this.deps.db, token),
      opened: async (s) => {
        const userId = s.userId as string;
        const set = this.byUser.get(userId) ?? new Set<ViewerSession>();
        this.byUser.set(userId, set);
        set.add(s);
        const snapshot = await this.store.statusEventsForUser(userId, this.deps.clock.now());
        for (const event of snapshot) s.devices.add(event.deviceId);
        return snapshot;
      },
      closed: (s) => {
        this.sockets.delete(s);
        if (s.userId === null) return;
        const set = this.byUser.get(s.userId);
        set?.delete(s);
        if (set?.size === 0) this.byUser.delete(s.userId);
      },
    });
    this.sockets.add(session);
  }

  private track(userId: string, deviceId: string, holds: boolean): void {
    for (const session of this.byUser.get(userId) ?? []) {
      if (holds) session.devices.add(deviceId);
      else session.devices.delete(deviceId);
    }
  }

  private ping(): void {
    for (const session of this.sockets) {
      if (!session.alive) {
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      session.ws.ping();
    }
  }
}

/** Create the hub and serve it on `server` at {@link VIEWER_WS_PATH}. */
export function attachViewerHub(server: Server, deps: ViewerHubDeps): ViewerHub {
  const hub = new ViewerHub(deps);
  hub.attach(server);
  return hub;
}
