import { join } from "node:path";
import webpush from "web-push";
import { z } from "zod";
import { readOrCreateSecretFile } from "../security/secret-files.js";

/** The cloud's VAPID key pair (P-256, base64url), as web-push uses it. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const vapidFileSchema = z.object({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/),
  privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** Where the keys live: one file per deployment (instances sharing a stateDir share it). */
export function vapidKeysFile(stateDir: string): string {
  return join(stateDir, "vapid-keys.json");
}

/**
 * Load `<stateDir>/vapid-keys.json`, creating it (mode 0600) on first start. Generated once and
 * kept: browsers subscribed with the public key, so a new pair would silently orphan every
 * existing subscription.
 */
export async function loadOrCreateVapidKeys(stateDir: string): Promise<VapidKeys> {
  const text = await readOrCreateSecretFile(vapidKeysFile(stateDir), async () => {
    const { publicKey, privateKey } = webpush.generateVAPIDKeys();
    return `${JSON.stringify({ publicKey, privateKey }, null, 2)}\n`;
  });
  const parsed = vapidFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${vapidKeysFile(stateDir)} is not a VAPID key file`);
  return parsed.data;
}
