import { createHash } from "node:crypto";
import { API_KEY_SECRET_RE } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import {
  apiKeyDisplayPrefix,
  generateApiKeySecret,
  hashApiKeySecret,
  looksLikeApiKeySecret,
} from "../../../src/api-keys/api-key-secret.js";

describe("API key secrets", () => {
  it("are hc_ + 32 random bytes in base64url, all different", () => {
    const secrets = new Set(Array.from({ length: 200 }, generateApiKeySecret));
    expect(secrets.size).toBe(200);
    for (const s of secrets) {
      expect(s).toMatch(API_KEY_SECRET_RE);
      expect(Buffer.from(s.slice(3), "base64url")).toHaveLength(32);
      expect(looksLikeApiKeySecret(s)).toBe(true);
    }
  });

  it("are stored as their hex SHA-256 and displayed by an 11-character prefix", () => {
    const s = generateApiKeySecret();
    expect(hashApiKeySecret(s)).toBe(createHash("sha256").update(s).digest("hex"));
    expect(apiKeyDisplayPrefix(s)).toBe(s.slice(0, 11));
  });

  it.each([
    "",
    "hc_",
    "hc_short",
    `HC_${"a".repeat(43)}`,
    `hc_${"a".repeat(44)}`,
    `hc_${"a".repeat(42)}=`,
    "Bearer x",
  ])("rejects %j before any lookup", (s) => {
    expect(looksLikeApiKeySecret(s)).toBe(false);
  });
});
