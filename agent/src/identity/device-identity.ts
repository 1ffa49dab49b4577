import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/** File name of the device key inside the agent's state directory. */
export const DEVICE_KEY_FILE = "device-key.json";
/** Longest lifetime of a device token, in seconds. The cloud refuses longer ones. */
export const MAX_DEVICE_TOKEN_TTL_SECONDS = 300;
/** `typ` claim of a device token. */
export const DEVICE_TOKEN_TYP = "device";

/** Thrown when the key file exists but cannot be used; the message says how to fix it. */
export class DeviceIdentityError extends Error {
  override readonly name = "DeviceIdentityError";
}

/** The public part of the device key, as sent in a token header. */
export interface DevicePublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

interface KeyFile {
  v: 1;
  /** Private JWK (has `d`). */
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; d: string };
  createdAt: number;
}

export interface SignDeviceTokenOptions {
  /** Audience: the cloud's configured audience (e.g. `homecam-cloud`). */
  aud: string;
  /** Lifetime, 1…300 s. Default 120. */
  ttlSeconds?: number;
  /** Seconds since the epoch; injected by tests. */
  now?: number;
}

/** The agent's device identity: an Ed25519 key pair; the id is its JWK thumbprint. */
export interface DeviceIdentity {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url, 43 chars) of the public key. */
  readonly deviceId: string;
  readonly publicJwk: Readonly<DevicePublicJwk>;
  /** Absolute path of the key file. */
  readonly keyFile: string;
  /** A short EdDSA JWT: `iss` = `sub` = deviceId, `typ` = "device", the public JWK in the header. */
  signDeviceToken(opts: SignDeviceTokenOptions): Promise<string>;
}

/**
 * Load the device identity from `<stateDir>/device-key.json`, creating it on first start (mode
 * 0600, written to a temporary file and hard-linked into place, so concurrent starts agree on one
 * key and nobody reads a half-written file). A key file readable or writable by group/other is
 * refused: the key is the device's only credential.
 */
export async function loadOrCreateDeviceIdentity(stateDir: string): Promise<DeviceIdentity> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const keyFile = join(stateDir, DEVICE_KEY_FILE);
  let text: string;
  try {
    text = await readKeyFile(keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await createKeyFile(keyFile);
    text = await readKeyFile(keyFile);
  }
  const parsed = parseKeyFile(text, keyFile);
  return identityFromJwk(parsed.jwk, keyFile);
}

async function readKeyFile(keyFile: string): Promise<string> {
  const st = await stat(keyFile);
  if (!st.isFile()) throw new DeviceIdentityError(`${keyFile} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, "0");
    throw new DeviceIdentityError(
      `device key ${keyFile} is accessible by group or others (mode ${mode}); ` +
        `fix it with: chmod 600 '${keyFile}'`,
    );
  }
  return readFile(keyFile, "utf8");
}

async function createKeyFile(keyFile: string): Promise<void> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  const content: KeyFile = {
    v: 1,
    jwk: { kty: "OKP", crv: "Ed25519", x: String(jwk.x), d: String(jwk.d) },
    createdAt: Date.now(),
  };
  const tmp = `${keyFile}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // The umask may clear bits but never adds them; make 0600 explicit anyway.
    await chmod(tmp, 0o600);
    await link(tmp, keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

function parseKeyFile(text: string, keyFile: string): KeyFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DeviceIdentityError(
      `device key ${keyFile} is not valid JSON; move it away to create a new identity`,
    );
  }
  const v = value as Partial<KeyFile> | null;
  const jwk = v?.jwk;
  if (
    v?.v !== 1 ||
    !jwk ||
    jwk.kty !== "OKP" ||
    jwk.crv !== "Ed25519" ||
    typeof jwk.x !== "string" ||
    typeof jwk.d !== "string"
  ) {
    throw new DeviceIdentityError(
      `device key ${keyFile} is not an Ed25519 key file; move it away to create a new identity`,
    );
  }
  return v as KeyFile;
}

async function identityFromJwk(jwk: KeyFile["jwk"], keyFile: string): Promise<DeviceIdentity> {
  const publicJwk: DevicePublicJwk = Object.freeze({ kty: "OKP", crv: "Ed25519", x: jwk.x });
  const deviceId = await calculateJwkThumbprint(publicJwk as JWK, "sha256");
  const privateKey = await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA");
  return {
    deviceId,
    publicJwk,
    keyFile,
    async signDeviceToken({ aud, ttlSeconds = 120, now }: SignDeviceTokenOptions): Promise<string> {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_DEVICE_TOKEN_TTL_SECONDS) {
        throw new RangeError(`ttlSeconds must be an integer in 1…${MAX_DEVICE_TOKEN_TTL_SECONDS}`);
      }
      const iat = now ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ typ: DEVICE_TOKEN_TYP })
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT", jwk: { ...publicJwk } })
        .setIssuer(deviceId)
        .setSubject(deviceId)
        .setAudience(aud)
        .setJti(randomBytes(16).toString("base64url"))
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(privateKey);
    },
  };
}
