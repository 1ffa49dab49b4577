import { randomBytes, randomInt } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  buildPairingUrl,
  type DeviceRoleName,
  type PairingInfo,
  type PairingSession,
  type PairingState,
} from "@homecam/shared";
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from "jose";
import { CLOUD_DEVICE_AUDIENCE } from "../../../src/cloud/cloud-api.js";

// The two cloud routes the agent's pairing uses, over real HTTP on port 0, with sessions in memory.
// Requests must carry a real device token: an EdDSA JWT with the device's public key in its header,
// signed by that key, for the cloud's audience, whose issuer is the key's thumbprint.

export interface FakeSession extends PairingSession {
  deviceId: string;
  state: PairingState;
  claimedRole: DeviceRoleName | null;
}

export interface FakeRequest {
  method: string;
  path: string;
  deviceId: string | null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { ok: false, error: { code, message } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

/** The device a request's token belongs to, or null when the token is missing or invalid. */
async function deviceOf(req: IncomingMessage): Promise<string | null> {
  const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.headers.authorization ?? "");
  if (!match?.[1]) return null;
  try {
    const header = decodeProtectedHeader(match[1]);
    if (!header.jwk) return null;
    const { payload } = await jwtVerify(match[1], EmbeddedJWK, {
      audience: CLOUD_DEVICE_AUDIENCE,
      algorithms: ["EdDSA"],
    });
    const thumbprint = await calculateJwkThumbprint(header.jwk as JWK, "sha256");
    if (payload["typ"] !== "device" || payload.iss !== thumbprint || payload.sub !== thumbprint) return null;
    return thumbprint;
  } catch {
    return null;
  }
}

export class FakeCloud {
  readonly sessions: FakeSession[] = [];
  readonly requests: FakeRequest[] = [];
  /** The PIN of the next session (random when unset). */
  nextPin: string | undefined;
  /** Lifetime of new sessions. */
  ttlMs = 10 * 60_000;
  /** While true, every request is recorded and its connection dropped (a network outage). */
  down = false;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeCloud> {
    const server = createServer();
    const cloud = new FakeCloud(server);
    server.on("request", (req, res) => {
      cloud.#handle(req, res).catch(() => fail(res, 500, "E_INTERNAL", "internal error"));
    });
    server.listen({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    return cloud;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** The newest session still open. */
  open(): FakeSession | undefined {
    return this.sessions.findLast((s) => s.state === "open");
  }

  /** Info requests seen for one session. */
  infoRequests(pairingId: string): number {
    return this.requests.filter((r) => r.path === `/api/qr/${pairingId}/info`).length;
  }

  claim(pairingId: string, role: DeviceRoleName): void {
    this.#session(pairingId).state = "claimed";
    this.#session(pairingId).claimedRole = role;
  }

  setState(pairingId: string, state: PairingState): void {
    this.#session(pairingId).state = state;
  }

  #session(pairingId: string): FakeSession {
    const s = this.sessions.find((x) => x.pairingId === pairingId);
    if (!s) throw new Error(`no session ${pairingId}`);
    return s;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const deviceId = await deviceOf(req);
    this.requests.push({ method: req.method ?? "", path, deviceId });
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (!deviceId) return fail(res, 401, "E_UNAUTHORIZED", "a device token is required");

    if (req.method === "POST" && path === "/api/qr/generate") {
      const body = await readBody(req);
      if (req.headers["content-type"] !== "application/json" || body !== "{}") {
        return fail(res, 400, "E_VALIDATION", "the body must be {}");
      }
      for (const s of this.sessions) if (s.deviceId === deviceId && s.state === "open") s.state = "cancelled";
      const pairingId = randomBytes(16).toString("base64url");
      const pin = this.nextPin ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
      this.nextPin = undefined;
      const session: FakeSession = {
        pairingId,
        pin,
        url: buildPairingUrl("https://viewer.example.test", { pairingId, pin }),
        expiresAt: new Date(Date.now() + this.ttlMs).toISOString(),
        deviceId,
        state: "open",
        claimedRole: null,
      };
      this.sessions.push(session);
      const { pairingId: id, url, expiresAt } = session;
      return send(res, 201, { ok: true, data: { pairingId: id, pin, url, expiresAt } });
    }

    const info = /^\/api\/qr\/([^/]+)\/info$/.exec(path);
    if (req.method === "GET" && info) {
      const s = this.sessions.find((x) => x.pairingId === info[1]);
      // Only the issuing device may read its session; anyone else learns nothing.
      if (!s || s.deviceId !== deviceId) return fail(res, 404, "E_NOT_FOUND", "no such pairing session");
      if (s.state === "open" && Date.parse(s.expiresAt) <= Date.now()) s.state = "expired";
      const data: PairingInfo = {
        pairingId: s.pairingId,
        state: s.state,
        expiresAt: s.expiresAt,
        device: { id: s.deviceId, name: "Test host" },
        cameras: [{ id: "front-door", name: "Front door" }],
        claimedRole: s.claimedRole,
      };
      return send(res, 200, { ok: true, data });
    }
    return fail(res, 404, "E_NOT_FOUND", `no route for ${req.method} ${path}`);
  }
}
