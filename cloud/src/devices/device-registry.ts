import { deviceIdSchema } from "@homecam/shared";
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from "jose";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import { type Clock, systemClock } from "../security/clock.js";

/** Default `aud` of device tokens presented to this cloud. */
export const DEFAULT_DEVICE_AUDIENCE = "homecam-cloud";
/** Longest accepted device-token lifetime (`exp` − now, and `exp` − `iat`), in seconds. */
export const MAX_DEVICE_TOKEN_LIFETIME_S = 300;
/** Allowed clock skew between agent and cloud, in seconds. */
export const DEVICE_CLOCK_TOLERANCE_S = 30;

/** Why a device token was refused. The message is safe to log (never quotes the token). */
export type DeviceAuthErrorCode =
  | "malformed"
  | "bad_key"
  | "bad_signature"
  | "bad_claims"
  | "expired"
  | "lifetime_too_long"
  | "thumbprint_mismatch"
  | "key_mismatch"
  | "revoked"
  | "replayed";

export class DeviceAuthError extends Error {
  override readonly name = "DeviceAuthError";
  constructor(
    readonly code: DeviceAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A device whose token verified. */
export interface VerifiedDevice {
  deviceId: string;
  /** True when this token pinned the key (first contact). */
  firstContact: boolean;
  /** Token `exp`, ms since the epoch. */
  expiresAt: number;
  jti: string;
}

export interface DeviceRow {
  id: string;
  name: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

export interface DeviceRegistryOptions {
  db: Kysely<CloudDatabase>;
  /** The audience device tokens must name. Default {@link DEFAULT_DEVICE_AUDIENCE}. */
  audience?: string;
  clock?: Clock;
}

export interface VerifyDeviceTokenOptions {
  /**
   * Refuse a token whose `jti` was already accepted (within its lifetime). Used for MQTT CONNECT:
   * the agent signs a fresh token per connection. Default false.
   */
  singleUse?: boolean;
}

interface Ed25519PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

/**
 * The device registry: verifies device tokens (self-signed EdDSA JWTs carrying their public key in
 * the header) and pins each device's key on first contact.
 */
export class DeviceRegistry {
  readonly audience: string;
  private readonly db: Kysely<CloudDatabase>;
  private readonly clock: Clock;
  /** jti → expiry (ms) of single-use tokens already accepted. */
  private readonly seenJtis = new Map<string, number>();

  constructor(opts: DeviceRegistryOptions) {
    this.db = opts.db;
    this.audience = opts.audience ?? DEFAULT_DEVICE_AUDIENCE;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Verify a device token and pin (or check) its key. Throws {@link DeviceAuthError}. Order: the
   * header JWK must be a public Ed25519 key; signature with the algorithm pinned to EdDSA; claims
   * (`typ`, `aud`, `exp` not passed and at most 5 minutes away); thumbprint(JWK) = `sub` = `iss`;
   * then the registry: revoked → refused, another key already pinned for this id → refused.
   */
  async verifyDeviceToken(token: string, opts: VerifyDeviceTokenOptions = {}): Promise<VerifiedDevice> {
    if (typeof token !== "string" || token.length === 0 || token.length > 4096) {
      throw new DeviceAuthError("malformed", "device token missing or too long");
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new DeviceAuthError("malformed", "device token is not a JWS");
    }
    if (header.alg !== "EdDSA")
      throw new DeviceAuthError("malformed", "device token algorithm must be EdDSA");
    const jwk = publicJwkOf(header.jwk);
    if (!jwk) throw new DeviceAuthError("bad_key", "device token header must carry a public Ed25519 JWK");
    const thumbprint = await calculateJwkThumbprint(jwk as JWK, "sha256");
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA");
    } catch {
      throw new DeviceAuthError("bad_key", "device token header key cannot be imported");
    }
    const nowMs = this.clock.now();
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ["EdDSA"],
        audience: this.audience,
        requiredClaims: ["iss", "sub", "exp", "iat", "jti"],
        currentDate: new Date(nowMs),
        clockTolerance: DEVICE_CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") throw new DeviceAuthError("expired", "device token expired");
      if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
        throw new DeviceAuthError("bad_signature", "device token signature does not verify");
      }
      if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
        throw new DeviceAuthError("bad_claims", `device token claim refused: ${(err as Error).message}`);
      }
      throw new DeviceAuthError("malformed", "device token cannot be verified");
    }
    if (payload.typ !== "device")
      throw new DeviceAuthError("bad_claims", 'device token typ must be "device"');
    const exp = payload.exp as number;
    const iat = payload.iat as number;
    const nowS = nowMs / 1000;
    if (
      exp - nowS > MAX_DEVICE_TOKEN_LIFETIME_S + DEVICE_CLOCK_TOLERANCE_S ||
      exp - iat > MAX_DEVICE_TOKEN_LIFETIME_S
    ) {
      throw new DeviceAuthError("lifetime_too_long", "device token lifetime exceeds 5 minutes");
    }
    if (payload.sub !== thumbprint || payload.iss !== thumbprint) {
      throw new DeviceAuthError("thumbprint_mismatch", "device token sub/iss is not the key's thumbprint");
    }
    const deviceId = thumbprint;
    if (!deviceIdSchema.safeParse(deviceId).success)
      throw new DeviceAuthError("bad_key", "invalid device id");
    const jti = String(payload.jti);
    const expiresAt = exp * 1000;
    if (opts.singleUse) this.checkReplay(jti, expiresAt + DEVICE_CLOCK_TOLERANCE_S * 1000, nowMs);
    const firstContact = await this.pin(deviceId, canonicalJwk(jwk), nowMs);
    return { deviceId, firstContact, expiresAt, jti };
  }

  /** Look a device up by id; null when unknown. */
  async getDevice(deviceId: string): Promise<DeviceRow | null> {
    const row = await this.db
      .selectFrom("devices")
      .select(["id", "name", "created_at", "last_seen_at", "revoked_at"])
      .where("id", "=", deviceId)
      .executeTakeFirst();
    return row
      ? {
          id: row.id,
          name: row.name,
          createdAt: row.created_at,
          lastSeenAt: row.last_seen_at,
          revokedAt: row.revoked_at,
        }
      : null;
  }

  /** Revoke a device: its tokens are refused from now on. Returns false when unknown. */
  async revoke(deviceId: string): Promise<boolean> {
    const res = await this.db
      .updateTable("devices")
      .set({ revoked_at: this.clock.now() })
      .where("id", "=", deviceId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  private checkReplay(jti: string, keepUntil: number, nowMs: number): void {
    if (this.seenJtis.size > 10_000) {
      for (const [k, until] of this.seenJtis) if (until < nowMs) this.seenJtis.delete(k);
    }
    const until = this.seenJtis.get(jti);
    if (until !== undefined && until >= nowMs)
      throw new DeviceAuthError("replayed", "device token already used");
    this.seenJtis.set(jti, keepUntil);
  }

  /** Insert on first contact, else compare the pinned key. Returns true when inserted. */
  private async pin(deviceId: string, publicJwk: string, nowMs: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto("devices")
      .values({
        id: deviceId,
        public_jwk: publicJwk,
        name: `device-${deviceId.slice(0, 8)}`,
        created_at: nowMs,
        last_seen_at: nowMs,
        revoked_at: null,
        status: "unknown",
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return true;
    const row = await this.db
      .selectFrom("devices")
      .select(["public_jwk", "revoked_at"])
      .where("id", "=", deviceId)
      .executeTakeFirst();
    if (!row) throw new DeviceAuthError("key_mismatch", "device row vanished while pinning");
    // A different key with the same thumbprint is a SHA-256 collision: impossible, checked anyway.
    if (row.public_jwk !== publicJwk) {
      throw new DeviceAuthError("key_mismatch", "another key is pinned for this device id");
    }
    if (row.revoked_at !== null) throw new DeviceAuthError("revoked", "device is revoked");
    await this.db.updateTable("devices").set({ last_seen_at: nowMs }).where("id", "=", deviceId).execute();
    return false;
  }
}

function publicJwkOf(value: unknown): Ed25519PublicJwk | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.kty !== "OKP" || v.crv !== "Ed25519" || typeof v.x !== "string" || "d" in v) return null;
  if (!/^[A-Za-z0-9_-]{43}$/.test(v.x)) return null;
  return { kty: "OKP", crv: "Ed25519", x: v.x };
}

/** RFC 7638 member order, so two spellings of one key compare equal. */
function canonicalJwk(jwk: Ed25519PublicJwk): string {
  return JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
}
