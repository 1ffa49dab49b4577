import { readFile } from "node:fs/promises";
import { type CryptoKey, importJWK } from "jose";
import { z } from "zod";
import type { DeviceIdentity } from "../identity/device-identity.js";

const keyFileSchema = z.object({
  jwk: z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string(), d: z.string() }),
});

/** The device key pair as CryptoKeys, to sign and check LAN tokens issued without a cloud. */
export interface DeviceSigningKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Reads the private key from the identity's key file (already checked 0600 and well-formed by
 * `loadOrCreateDeviceIdentity`). The identity module keeps its private key to itself and only
 * signs device tokens; local LAN tokens need the same key with other claims.
 */
export async function loadDeviceSigningKeys(identity: DeviceIdentity): Promise<DeviceSigningKeys> {
  const { jwk } = keyFileSchema.parse(JSON.parse(await readFile(identity.keyFile, "utf8")));
  if (jwk.x !== identity.publicJwk.x) throw new Error(`${identity.keyFile} changed since the agent started`);
  const privateKey = (await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey;
  const publicKey = (await importJWK({ ...identity.publicJwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey;
  return { privateKey, publicKey };
}
