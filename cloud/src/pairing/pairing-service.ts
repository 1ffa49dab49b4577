import {
  ApiError,
  buildPairingUrl,
  type connectionEstablishedSchema,
  type PairingClaimBody,
  type PairingInfo,
  type PairingSession,
} from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { z } from "zod";
import { roleOn } from "../devices/grants.js";
import type { RendezvousContext, ViewerPush } from "../rendezvous/context.js";
import { type DeviceSummary, deviceSummary } from "./device-summary.js";
import { claimAndGrant } from "./pairing-claim.js";
import type { PairingLimits } from "./pairing-limits.js";
import { effectiveState, MAX_WRONG_PINS, type PairingSessionRow, PairingStore } from "./pairing-store.js";
import { newPairingId, type PinHasher, randomPin, sameHmac } from "./pin-secret.js";

/** How long a pairing session accepts claims. */
export const PAIRING_TTL_MS = 10 * 60_000;
/** PIN draws before giving up (each collision with a live session costs one). */
const MAX_PIN_DRAWS = 20;

export type ConnectionEstablished = z.input<typeof connectionEstablishedSchema>;

/** Who asks for a session's info: a signed-in user or a device. */
export type InfoCaller = { userId: string } | { deviceId: string };

export interface PairingServiceDeps {
  ctx: RendezvousContext;
  push: ViewerPush;
  limits: PairingLimits;
  hasher: PinHasher;
  /** Draws a PIN; default: six CSPRNG digits. Injected by tests to force collisions. */
  generatePin?: () => string;
}

/**
 * The rules of pairing (DESIGN.md §4): opening sessions (device QR, owner invites), telling a
 * viewer what a session would pair, and the single-use claim with its wrong-PIN budget.
 */
export class PairingService {
  private readonly store: PairingStore;
  private readonly log: Logger;
  private readonly generatePin: () => string;

  constructor(private readonly deps: PairingServiceDeps) {
    this.store = new PairingStore(deps.ctx.db);
    this.log = moduleLogger(deps.ctx.log, "pairing");
    this.generatePin = deps.generatePin ?? randomPin;
  }

  /** `POST /api/qr/generate`: a new session for the calling device, replacing its open one. */
  async generate(deviceId: string): Promise<PairingSession> {
    await this.deps.limits.take([["generateDevice", deviceId]]);
    return this.open(deviceId, null);
  }

  /** `POST /api/devices/:id/invites`: the owner opens a viewer invitation; the device shows nothing. */
  async invite(userId: string, deviceId: string): Promise<PairingSession> {
    await this.requireOwner(userId, deviceId);
    await this.deps.limits.take([["inviteUser", userId]]);
    const session = await this.open(deviceId, userId);
    await this.deps.ctx.accessLog.record({ deviceId, userId, action: "pair.invite", outcome: "ok" });
    return session;
  }

  /** Throws 404 to a stranger (no existence leak) and 403 to a viewer of `deviceId`. */
  async requireOwner(userId: string, deviceId: string): Promise<void> {
    const role = await roleOn(this.deps.ctx.db, userId, deviceId);
    if (role === null) throw new ApiError("E_NOT_FOUND", "no such device");
    if (role !== "owner") throw new ApiError("E_FORBIDDEN", "only the device's owner can invite");
  }

  /** `POST /api/qr/validate`: what the claim would pair. A wrong PIN counts like a failed claim. */
  async validate(userId: string, ip: string, body: PairingClaimBody): Promise<PairingInfo> {
    const session = await this.resolve(userId, ip, body);
    return this.infoOf(session, await this.summary(session.deviceId), "open", null);
  }

  /**
   * `GET /api/qr/:code/info`. A user learns what an open session would pair (the pairing id is
   * itself a 256-bit secret); the issuing device sees its own session in any state, with the role
   * its claimer got. Anyone else gets 404.
   */
  async info(caller: InfoCaller, pairingId: string): Promise<PairingInfo> {
    const session = await this.store.get(pairingId);
    const now = this.deps.ctx.clock.now();
    if ("deviceId" in caller) {
      if (!session || session.deviceId !== caller.deviceId) {
        throw new ApiError("E_NOT_FOUND", "no such pairing session");
      }
      const state = effectiveState(session, now);
      return this.infoOf(session, await this.summary(session.deviceId), state, session.claimedRole);
    }
    if (!session) throw new ApiError("E_NOT_FOUND", "no such pairing session");
    if (effectiveState(session, now) !== "open") throw gone();
    return this.infoOf(session, await this.summary(session.deviceId), "open", null);
  }

  /** `POST /api/connection/establish`: claim the session and get a grant on its device. */
  async establish(userId: string, ip: string, body: PairingClaimBody): Promise<ConnectionEstablished> {
    const session = await this.resolve(userId, ip, body);
    const now = this.deps.ctx.clock.now();
    const grant = await claimAndGrant(this.deps.ctx.db, {
      sessionId: session.id,
      deviceId: session.deviceId,
      userId,
      grantedBy: session.invitedBy,
      now,
    });
    if (!grant) {
      const latest = await this.store.get(session.id);
      if (latest?.state === "claimed")
        throw new ApiError("E_CONFLICT", "this pairing session was already used");
      throw gone();
    }
    const device = await this.summary(session.deviceId);
    this.log.info({ deviceId: device.id, userId, role: grant.role, origin: session.origin }, "device paired");
    await this.deps.ctx.accessLog.record({
      deviceId: device.id,
      userId,
      action: "pair.claim",
      outcome: "ok",
      detail: `role=${grant.role} origin=${session.origin}${grant.added ? "" : " unchanged"}`,
    });
    if (grant.added) await this.notify(device.id, userId, grant.role, now);
    return { deviceId: device.id, deviceName: device.name, role: grant.role, cameras: device.cameras };
  }

  /** Insert an open session with a PIN no live session uses (closing stale ones first). */
  private async open(deviceId: string, invitedBy: string | null): Promise<PairingSession> {
    const { config, clock } = this.deps.ctx;
    const now = clock.now();
    await this.store.expireStale(now);
    if (invitedBy === null) await this.store.cancelOpenFromDevice(deviceId);
    const pairingId = newPairingId();
    const expiresAt = now + PAIRING_TTL_MS;
    for (let draw = 1; draw <= MAX_PIN_DRAWS; draw++) {
      const pin = this.generatePin();
      const inserted = await this.store.insert({
        id: pairingId,
        deviceId,
        pinHmac: await this.deps.hasher.hash(pin),
        origin: invitedBy === null ? "device" : "invite",
        invitedBy,
        createdAt: now,
        expiresAt,
      });
      if (!inserted) continue;
      this.log.info(
        { deviceId, origin: invitedBy === null ? "device" : "invite", draws: draw },
        "pairing opened",
      );
      const url = buildPairingUrl(config.relay.viewerBaseUrl ?? config.http.publicUrl, { pairingId, pin });
      return { pairingId, pin, url, expiresAt: new Date(expiresAt).toISOString() };
    }
    this.log.warn({ deviceId, draws: MAX_PIN_DRAWS }, "no free pairing PIN");
    throw new ApiError("E_CONFLICT", "could not draw a free PIN: retry later");
  }

  /**
   * The live session a claim names, with its PIN checked. QR path (pairing id + PIN): a wrong PIN
   * is counted on that session only and burns it at the 5th. Typed path (PIN alone): rate-limited
   * per account, IP and deployment; a PIN matching nothing gets one generic answer.
   */
  private async resolve(userId: string, ip: string, body: PairingClaimBody): Promise<PairingSessionRow> {
    const now = this.deps.ctx.clock.now();
    const pinHmac = await this.deps.hasher.hash(body.pin);
    if (body.pairingId === undefined) {
      const slots = await this.deps.limits.take([
        ["typedAccount", userId],
        ["typedIp", ip],
        ["typedGlobal", "all"],
      ]);
      const session = await this.store.findOpenByPin(pinHmac, now);
      if (!session) throw new ApiError("E_NOT_FOUND", "no pairing session with this PIN");
      // Only misses count: a legitimate typed PIN never uses up anyone's budget.
      await slots.refund();
      return session;
    }
    const session = await this.store.get(body.pairingId);
    if (!session) throw new ApiError("E_NOT_FOUND", "no such pairing session");
    if (effectiveState(session, now) !== "open") throw gone();
    if (sameHmac(session.pinHmac, pinHmac)) return session;
    const counted = await this.store.wrongTry(session.id, now);
    const burned = counted === null || counted.state === "burned";
    this.log.info({ deviceId: session.deviceId, userId, burned }, "wrong pairing PIN");
    await this.deps.ctx.accessLog.record({
      deviceId: session.deviceId,
      userId,
      action: "pair.claim",
      outcome: burned ? "burned" : "wrong_pin",
    });
    if (burned) throw new ApiError("E_GONE", "too many wrong PINs: this pairing session is closed");
    const attemptsLeft = MAX_WRONG_PINS - counted.failedAttempts;
    throw new ApiError("E_VALIDATION", "wrong PIN", {
      issues: [{ path: "pin", message: "wrong PIN" }],
      attemptsLeft,
    });
  }

  private async summary(deviceId: string): Promise<DeviceSummary> {
    const device = await deviceSummary(this.deps.ctx.db, deviceId);
    // pairing_sessions.device_id cascades on delete: a session never outlives its device.
    if (!device) throw new ApiError("E_NOT_FOUND", "no such pairing session");
    return device;
  }

  private infoOf(
    session: PairingSessionRow,
    device: DeviceSummary,
    state: PairingInfo["state"],
    claimedRole: PairingInfo["claimedRole"],
  ): PairingInfo {
    return {
      pairingId: session.id,
      state,
      expiresAt: new Date(session.expiresAt).toISOString(),
      device: { id: device.id, name: device.name },
      cameras: device.cameras,
      claimedRole,
    };
  }

  /** Tell the owner (and the claimer's other open viewers) that a grant was added. */
  private async notify(
    deviceId: string,
    userId: string,
    role: "owner" | "viewer",
    at: number,
  ): Promise<void> {
    const { db } = this.deps.ctx;
    const owner = await db
      .selectFrom("device_grants")
      .select("user_id")
      .where("device_id", "=", deviceId)
      .where("role", "=", "owner")
      .executeTakeFirst();
    const user = await db.selectFrom("users").select("name").where("id", "=", userId).executeTakeFirst();
    const targets = [...new Set([owner?.user_id ?? userId, userId])];
    this.deps.push.toUsers(targets, {
      type: "grant.added",
      deviceId,
      at,
      userId,
      role,
      ...(user ? { displayName: user.name.slice(0, 128) } : {}),
    });
  }
}

function gone(): ApiError {
  return new ApiError("E_GONE", "this pairing session has expired or is closed: ask for a new code");
}
