import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";

// The browser's side of Web Push, written from the RFC rather than borrowed from the sender's
// library, so a test decrypting with it checks the sender against the standard: a P-256 key pair
// and a 16-byte auth secret (what PushManager.subscribe() makes), and aes128gcm decryption
// (RFC 8188 content coding, RFC 8291 key derivation).

export interface BrowserKeys {
  /** For the subscription body (base64url). */
  p256dh: string;
  auth: string;
  decrypt(body: Buffer): Buffer;
}

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH("prime256v1");
  const uaPublic = ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    p256dh: uaPublic.toString("base64url"),
    auth: authSecret.toString("base64url"),
    decrypt(body) {
      // Header: salt (16) | record size (4) | key id length (1) | key id = the sender's public key.
      const salt = body.subarray(0, 16);
      const idLen = body.readUInt8(20);
      const asPublic = body.subarray(21, 21 + idLen);
      const record = body.subarray(21 + idLen);
      const ecdhSecret = ecdh.computeSecret(asPublic);
      const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), uaPublic, asPublic]);
      const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, authSecret, keyInfo, 32));
      const cek = Buffer.from(
        hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16),
      );
      const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
      const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const padded = Buffer.concat([
        decipher.update(record.subarray(0, record.length - 16)),
        decipher.final(),
      ]);
      // One record: data, the last-record delimiter 0x02, then zero padding.
      let end = padded.length - 1;
      while (end >= 0 && padded[end] === 0) end--;
      if (padded[end] !== 2) throw new Error("no last-record delimiter");
      return padded.subarray(0, end);
    },
  };
}
