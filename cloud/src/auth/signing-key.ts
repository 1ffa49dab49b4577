import { join } from "node:path";
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey as JoseKey,
  type JWK,
} from "jose";
import { keysDir, readOrCreateSecretFile } from "../security/secret-files.js";

/** The Ed25519 key pair that signs access tokens, with its key id. */
export interface SigningKey {
  /** RFC 7638 JWK thumbprint of the public key. */
  kid: string;
  privateKey: JoseKey;
  publicKey: JoseKey;
  /** Public JWK as published at /.well-known/jwks.json. */
  publicJwk: JWK;
}

const FILE = "access-token-ed25519.jwk.json";

/**
 * Load `<stateDir>/keys/access-token-ed25519.jwk.json`, generating it (mode 0600) on first start.
 * Every instance of a deployment must use the same file (shared state directory or a copy), or
 * tokens signed by one are refused by another.
 */
export async function loadOrCreateSigningKey(stateDir: string): Promise<SigningKey> {
  const file = join(await keysDir(stateDir), FILE);
  const text = await readOrCreateSecretFile(file, async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    return `${JSON.stringify(await exportJWK(privateKey))}\n`;
  });
  return signingKeyFromJwk(JSON.parse(text) as JWK);
}

/** A signing key from a private Ed25519 JWK. */
export async function signingKeyFromJwk(privateJwk: JWK): Promise<SigningKey> {
  if (privateJwk.kty !== "OKP" || privateJwk.crv !== "Ed25519" || !privateJwk.d || !privateJwk.x) {
    throw new Error("the access-token signing key is not a private Ed25519 JWK");
  }
  const pub: JWK = { kty: "OKP", crv: "Ed25519", x: privateJwk.x };
  const kid = await calculateJwkThumbprint(pub);
  const privateKey = (await importJWK({ ...privateJwk, alg: "EdDSA" }, "EdDSA")) as JoseKey;
  const publicKey = (await importJWK({ ...pub, alg: "EdDSA" }, "EdDSA")) as JoseKey;
  return { kid, privateKey, publicKey, publicJwk: { ...pub, kid, alg: "EdDSA", use: "sig" } };
}

/** A fresh key that lives in memory only (tests, benchmarks). */
export async function ephemeralSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return signingKeyFromJwk(await exportJWK(privateKey));
}
