import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** What a Mosquitto command-line client did. */
export interface CliRun {
  /** Exit code; null when it had to be killed (the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Credentials for a CONNECT: user name, client id and password. */
export interface MqttLogin {
  username: string;
  clientId: string;
  password: string;
}

/**
 * Run Debian's `mosquitto_sub` or `mosquitto_pub` against `port` on 127.0.0.1, MQTT 3.1.1 (all that
 * aedes speaks). `args` are the tool's own options (topic, -C/-W/-E, message…). Never rejects: the
 * exit code and output are the result. `timeoutMs` is a safety net only; the tools' own `-W` /
 * `-C` / `-E` end them.
 */
export function mosquitto(
  tool: "mosquitto_sub" | "mosquitto_pub",
  port: number,
  login: MqttLogin | null,
  args: string[],
  timeoutMs = 15_000,
): Promise<CliRun> {
  const auth = login ? ["-u", login.username, "-i", login.clientId, "-P", login.password] : [];
  const all = ["-V", "mqttv311", "-h", "127.0.0.1", "-p", String(port), ...auth, ...args];
  return new Promise((resolve) => {
    execFile(tool, all, { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `mosquitto_sub -d -E -t <filter>`: connect, subscribe, exit once the broker answered. `granted`
 * is the SUBACK's verdict read from the debug output (QoS 128 = refused), null when there was none
 * (the CONNECT was refused).
 */
export async function subscribeOnce(
  port: number,
  login: MqttLogin,
  filter: string,
): Promise<CliRun & { granted: boolean | null }> {
  const run = await mosquitto("mosquitto_sub", port, login, ["-d", "-E", "-t", filter]);
  const suback = /Subscribed \(mid: \d+\): (\d+)/.exec(run.stdout);
  return { ...run, granted: suback ? suback[1] !== "128" : null };
}

/** `mosquitto_pub -q 1`: publish one message and wait for its PUBACK (retained when asked). */
export function publishOnce(
  port: number,
  login: MqttLogin,
  topic: string,
  payload: string,
  { retain = false } = {},
): Promise<CliRun> {
  return mosquitto("mosquitto_pub", port, login, [
    "-q",
    "1",
    ...(retain ? ["-r"] : []),
    "-t",
    topic,
    "-m",
    payload,
  ]);
}

/** A device identity made in the test, signing device tokens exactly like the agent does. */
export interface TestDeviceKey {
  /** Device id: the SHA-256 JWK thumbprint of its public key. */
  id: string;
  /** A fresh device token (new `jti`: the broker accepts each token once), valid 60 s. */
  token(): Promise<string>;
  /** The MQTT login of this device with a fresh token. */
  login(): Promise<MqttLogin>;
}

/** A new Ed25519 device key; the cloud pins it on first contact. */
export async function createDeviceKey(audience = "homecam-cloud"): Promise<TestDeviceKey> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const { x } = await exportJWK(publicKey);
  const jwk: JWK = { kty: "OKP", crv: "Ed25519", x: String(x) };
  const id = await calculateJwkThumbprint(jwk, "sha256");
  const token = async (): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ typ: "device" })
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT", jwk })
      .setIssuer(id)
      .setSubject(id)
      .setAudience(audience)
      .setJti(randomBytes(16).toString("base64url"))
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
  };
  return { id, token, login: async () => ({ username: id, clientId: id, password: await token() }) };
}
