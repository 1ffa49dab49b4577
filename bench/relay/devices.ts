// Simulated agents' identities and payloads. A bench device is what the agent is to the broker: an
// Ed25519 key whose JWK thumbprint is the device id, signing a fresh self-signed device JWT per
// MQTT connection (the broker refuses a replayed one). Same token shape as the agent's and as
// cloud/test/helpers/device-keys.ts (bench code does not import from test folders).

import { randomBytes } from "node:crypto";
import { encodeMessage } from "@homecam/shared";
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  SignJWT,
} from "jose";

/** Audience the cloud's DeviceRegistry expects by default. */
const AUDIENCE = "homecam-cloud";
/** Token lifetime, seconds: well under the registry's 5-minute maximum. */
const TOKEN_TTL_S = 120;

/** A simulated agent's identity. */
export interface BenchDevice {
  /** base64url SHA-256 JWK thumbprint of the public key, as the agent's. */
  id: string;
  /** A fresh single-use device token (MQTT password). */
  token(): Promise<string>;
}

/** A new device with its own Ed25519 key. */
export async function createBenchDevice(): Promise<BenchDevice> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: String(jwk.x) };
  const id = await calculateJwkThumbprint(publicJwk, "sha256");
  return {
    id,
    token() {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        typ: "device",
        iss: id,
        sub: id,
        aud: AUDIENCE,
        jti: randomBytes(12).toString("base64url"),
        iat: now,
        exp: now + TOKEN_TTL_S,
      })
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT", jwk: publicJwk } as JWTHeaderParameters)
        .sign(privateKey);
    },
  };
}

/** `count` devices, created a few at a time (key generation is cheap, but not free). */
export async function createBenchDevices(count: number): Promise<BenchDevice[]> {
  const out: BenchDevice[] = [];
  while (out.length < count) {
    const n = Math.min(100, count - out.length);
    out.push(...(await Promise.all(Array.from({ length: n }, () => createBenchDevice()))));
  }
  return out;
}

/**
 * One valid `device.telemetry` payload (~400 bytes: a host with four cameras), the same bytes for
 * every message of a run so both brokers carry identical load. Fixed id and ts: the broker checks
 * the shape, not uniqueness.
 */
export function telemetryPayload(): Buffer {
  const camera = (id: string, fps: number) => ({ id, status: "online" as const, fps });
  return Buffer.from(
    encodeMessage(
      "device.telemetry",
      {
        cpuPercent: 23.5,
        memoryMB: 412.75,
        temperatureC: 51.2,
        diskFreeMB: 181_204.5,
        diskTotalMB: 238_475.0,
        uptimeS: 86_421,
        cameras: [
          camera("front-door", 15),
          camera("garden", 10),
          camera("garage-side", 12.5),
          camera("driveway", 15),
        ],
      },
      { id: "bench-telemetry-0000000001", ts: 1_767_225_600_000 },
    ),
  );
}

/** The retained `device.status` an agent publishes once connected. */
export function onlineStatusPayload(): Buffer {
  return Buffer.from(
    encodeMessage("device.status", {
      state: "online",
      agentVersion: "0.1.0",
      cameras: [
        { id: "front-door", status: "online" },
        { id: "garden", status: "online" },
      ],
    }),
  );
}

/** The agent's last will: what the broker publishes (retained) if the connection drops. */
export function offlineStatusPayload(): Buffer {
  return Buffer.from(encodeMessage("device.status", { state: "offline", reason: "connection lost" }));
}
