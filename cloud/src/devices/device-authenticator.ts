import { ApiError } from "@homecam/shared";
import { decodeProtectedHeader } from "jose";
import type { DeviceAuthenticator } from "../api/principal.js";
import { DeviceAuthError, type DeviceRegistry } from "./device-registry.js";

/**
 * The HTTP side of device authentication: `Authorization: Bearer <device JWT>`. A bearer whose
 * protected header carries a `jwk` is a device token (user access tokens never do); anything else
 * is left to the user authenticator (null). A device token that fails verification is a 401 —
 * never a fall-through to the user path.
 */
export function deviceAuthenticator(registry: DeviceRegistry): DeviceAuthenticator {
  return async (headers) => {
    const header = headers.authorization;
    if (!header) return null;
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
    const token = match?.[1];
    if (!token || !isDeviceToken(token)) return null;
    try {
      const { deviceId } = await registry.verifyDeviceToken(token);
      return { deviceId };
    } catch (err) {
      if (err instanceof DeviceAuthError) {
        throw new ApiError("E_UNAUTHORIZED", `device token refused: ${err.code}`);
      }
      throw err;
    }
  };
}

/** True when the JWS header names a key (`jwk`): the shape of a self-signed device token. */
export function isDeviceToken(token: string): boolean {
  try {
    const header = decodeProtectedHeader(token);
    return typeof header.jwk === "object" && header.jwk !== null;
  } catch {
    return false;
  }
}
