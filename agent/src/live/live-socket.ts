import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { LIVE_CLOSE, type LiveServerMessage, liveAuthMessageSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { TokenVerifier } from "../http/auth-gate.js";
import type { LiveHub, LiveViewer } from "./live-hub.js";

/** `GET /api/cameras/:id/live` (WebSocket upgrade). */
const LIVE_PATH = /^\/api\/cameras\/([A-Za-z0-9_-]{1,64})\/live\/?(?:\?.*)?$/;

export interface LiveSocketOptions {
  hub: Pick<LiveHub, "join">;
  verifyToken: TokenVerifier;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /** Time allowed for the auth message (default 5 s). */
  authTimeoutMs?: number;
  /**
   * Bytes allowed in a viewer's socket buffer (default 2 MB); above it the viewer skips forward to
   * the next key frame (catch-up to the live edge) instead of the agent queueing without bound.
   */
  maxBufferedBytes?: number;
  /** A viewer skipping this many key frames in a row is dropped (default 10). */
  maxSkippedKeyFrames?: number;
}

/** For `LanServer`'s `upgrade`: handles the live path; false for any other path (caller closes). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** The live WebSocket endpoint: token as the first message, then binary fMP4 messages. */
export function liveUpgradeHandler(opts: LiveSocketOptions): UpgradeHandler {
  // Clients send one small auth message; anything bigger is not a viewer.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 });
  return (req, socket, head) => {
    const cameraId = LIVE_PATH.exec(req.url ?? "")?.[1];
    if (!cameraId || req.method !== "GET") return false;
    wss.handleUpgrade(req, socket, head, (ws) => serveViewer(ws, cameraId, opts));
    return true;
  };
}

function send(ws: WebSocket, message: LiveServerMessage): void {
  ws.send(JSON.stringify(message));
}

function refuse(ws: WebSocket, code: number, errorCode: string, message: string): void {
  send(ws, { type: "error", code: errorCode, message });
  ws.close(code, message.slice(0, 120));
}

function serveViewer(ws: WebSocket, cameraId: string, opts: LiveSocketOptions): void {
  const timer = setTimeout(
    () => refuse(ws, LIVE_CLOSE.unauthorized, "E_UNAUTHORIZED", "no auth message in time"),
    opts.authTimeoutMs ?? 5_000,
  );
  ws.once("close", () => clearTimeout(timer));
  ws.on("error", () => {});
  ws.once("message", (data: RawData, isBinary: boolean) => {
    clearTimeout(timer);
    void authenticate(ws, data, isBinary, opts).then((userId) => {
      if (userId === null || ws.readyState !== ws.OPEN) return;
      // Nothing else is expected from the client: a further message is a protocol error.
      ws.on("message", () => ws.close(LIVE_CLOSE.unauthorized, "unexpected message"));
      startViewing(ws, cameraId, userId, opts);
    });
  });
}

async function authenticate(
  ws: WebSocket,
  data: RawData,
  isBinary: boolean,
  opts: LiveSocketOptions,
): Promise<string | null> {
  let token: string | undefined;
  try {
    const parsed = isBinary ? undefined : liveAuthMessageSchema.safeParse(JSON.parse(String(data)));
    token = parsed?.success ? parsed.data.token : undefined;
  } catch {
    token = undefined;
  }
  const principal = token ? await opts.verifyToken(token).catch(() => null) : null;
  if (!principal) {
    refuse(
      ws,
      LIVE_CLOSE.unauthorized,
      "E_UNAUTHORIZED",
      token ? "invalid token" : "an auth message is required",
    );
    return null;
  }
  return principal.userId;
}

function startViewing(ws: WebSocket, cameraId: string, userId: string, opts: LiveSocketOptions): void {
  const maxBuffered = opts.maxBufferedBytes ?? 2 * 1024 * 1024;
  const maxSkips = opts.maxSkippedKeyFrames ?? 10;
  // A viewer starts at a key frame and, after skipping, resumes at one: a decoder fed a P-frame
  // without its reference shows garbage or stalls.
  let needKey = true;
  let skippedKeys = 0;
  const viewer: LiveViewer = {
    userId,
    init: (bytes, mimeType) => {
      send(ws, { type: "stream", mimeType });
      ws.send(bytes);
      needKey = true;
    },
    fragment: (bytes, key) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        needKey = true;
        if (key && ++skippedKeys > maxSkips) {
          refuse(ws, LIVE_CLOSE.tooSlow, "E_TOO_SLOW", "the connection is too slow for live view");
        }
        return;
      }
      if (needKey && !key) return;
      needKey = false;
      if (key) skippedKeys = 0;
      ws.send(bytes);
    },
    ended: (reason) => {
      refuse(ws, LIVE_CLOSE.sourceEnded, "E_LIVE_ENDED", `the live source ended: ${reason}`.slice(0, 200));
    },
  };
  const joined = opts.hub.join(cameraId, viewer);
  if (joined === null) {
    refuse(ws, LIVE_CLOSE.unknownCamera, "E_NOT_FOUND", "unknown camera");
    return;
  }
  if (!("leave" in joined)) {
    refuse(ws, LIVE_CLOSE.unsupported, joined.code, joined.message);
    return;
  }
  opts.log.info({ cameraId, userId }, "live viewer joined");
  ws.once("close", () => {
    joined.leave();
    opts.log.info({ cameraId, userId }, "live viewer left");
  });
}
