import { z } from "zod";
import { deviceIdSchema } from "../mqtt/topics.js";
import { deviceRoleSchema } from "./pairing.js";

// LAN viewer tokens (issue 8 §4): the cloud signs a short JWT scoped to ONE device (`aud` = its
// id) with its access-token key; the agent checks it against the cloud's JWKS cached on disk, so
// viewing on the home network keeps working while the internet (or the cloud) is down.

/** JOSE `typ` header of a LAN token: no access token (`at+jwt`) can pass for one, nor the reverse. */
export const LAN_TOKEN_TYP = "hc-lan+jwt";
/** Longest lifetime of a LAN token: a stolen one is good for a day at most. */
export const MAX_LAN_TOKEN_TTL_SECONDS = 86_400;
/** Default lifetime: half a day, so a viewer fetching one each morning is never caught out. */
export const DEFAULT_LAN_TOKEN_TTL_SECONDS = 43_200;

/** `POST /api/devices/:id/lan-token` answer. */
export const lanTokenSchema = z.object({
  token: z.string().min(1).describe("EdDSA JWT for `Authorization: Bearer` on the device's LAN server."),
  expiresAt: z.iso.datetime({ offset: true }),
  deviceId: deviceIdSchema,
});
export type LanToken = z.output<typeof lanTokenSchema>;

/** The claims a LAN token must carry (jose checked the signature, iss, aud, exp and nbf already). */
export const lanTokenClaimsSchema = z.object({
  sub: z.string().min(1).max(64),
  role: deviceRoleSchema,
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});
export type LanTokenClaims = z.output<typeof lanTokenClaimsSchema>;

/** One public key of the cloud's JWK Set: Ed25519 only, the one algorithm LAN tokens use. */
export const ed25519PublicJwkSchema = z.looseObject({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z.string().min(1).max(128),
  alg: z.literal("EdDSA").optional(),
  use: z.literal("sig").optional(),
});

/**
 * The cloud's `/.well-known/jwks.json` as the agent keeps it. Keys of other types are dropped
 * rather than failing the set, so a cloud that adds e.g. an RSA key later does not lock agents out.
 */
export const cloudJwksSchema = z.object({
  keys: z
    .array(z.unknown())
    .max(16)
    .transform((keys) =>
      keys.flatMap((k) => {
        const parsed = ed25519PublicJwkSchema.safeParse(k);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
});
export type CloudJwks = z.output<typeof cloudJwksSchema>;

/** `POST /api/local/pair` on the agent: the PIN `homecam pair --local` printed, and a viewer name. */
export const localPairRequestSchema = z.strictObject({
  pin: z.string().regex(/^\d{6}$/, "must be the 6-digit PIN"),
  name: z.string().trim().min(1).max(64).optional(),
});

/** `POST /api/local/refresh` on the agent: renew a token with the secret the pairing answered. */
export const localRefreshRequestSchema = z.strictObject({
  viewerId: z.string().regex(/^lv_[A-Za-z0-9_-]{16}$/),
  refreshSecret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
