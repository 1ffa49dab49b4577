import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CloudConfig } from "@homecam/shared";

// The TURN REST API's shared-secret scheme (draft-uberti-behave-turn-rest-00, coturn's
// `use-auth-secret`): the cloud and the TURN server share one secret and never talk to each other.
// A credential is valid until the expiry written into its own username, so nothing has to be
// stored or revoked — a leaked credential dies by itself within `ttlS`.

/** The credentials directory file systemd provides the secret in (`LoadCredential=turn-secret:…`). */
export const TURN_SECRET_FILE = "turn-secret";

/** A minted TURN credential. */
export interface TurnCredential {
  /** `<expiry unix seconds>:<subject>`: coturn reads the expiry back from it. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)): what coturn recomputes from its copy of the secret. */
  credential: string;
  /** Epoch ms at which coturn stops accepting it. */
  expiresAt: number;
}

/** The credential for `username` under `secret` (coturn's check, byte for byte). */
export function turnPassword(secret: string, username: string): string {
  return createHmac("sha1", secret).update(username).digest("base64");
}

/** Mint a credential for `subject` (a user id, or `device:<id>`) valid for `ttlS` from `nowMs`. */
export function mintTurnCredential(
  secret: string,
  subject: string,
  nowMs: number,
  ttlS: number,
): TurnCredential {
  const expiry = Math.floor(nowMs / 1000) + ttlS;
  const username = `${expiry}:${subject}`;
  return { username, credential: turnPassword(secret, username), expiresAt: expiry * 1000 };
}

/**
 * The TURN shared secret: `rtc.turn.secret` from the config, else `$CREDENTIALS_DIRECTORY/turn-secret`.
 * Undefined when no TURN server is configured. A TURN server without a secret is a configuration
 * error: failing at startup beats handing every viewer credentials the server will refuse.
 */
export async function loadTurnSecret(
  rtc: CloudConfig["rtc"],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (!rtc.turn) return undefined;
  if (rtc.turn.secret) return rtc.turn.secret;
  const dir = env.CREDENTIALS_DIRECTORY;
  const fromFile = dir ? await readFile(join(dir, TURN_SECRET_FILE), "utf8").catch(() => "") : "";
  const secret = fromFile.trim();
  if (secret.length >= 16) return secret;
  throw new Error(
    secret
      ? `the TURN secret in $CREDENTIALS_DIRECTORY/${TURN_SECRET_FILE} is shorter than 16 characters`
      : `rtc.turn is configured without a secret: set rtc.turn.secret or provide $CREDENTIALS_DIRECTORY/${TURN_SECRET_FILE} (coturn's static-auth-secret)`,
  );
}
