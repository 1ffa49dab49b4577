import { PAIRING_ID_RE, PIN_RE } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { newPairingId, PinHasher, pinHmac, randomPin, sameHmac } from "../../../src/pairing/pin-secret.js";

const KEY = Buffer.alloc(32, 7);

describe("pinHmac", () => {
  it("is HMAC-SHA256 in hex, keyed: another key gives another value", () => {
    // Computed independently (Python's hmac module): the stored format must never drift, or every
    // live session's PIN would stop matching after an upgrade.
    const a = pinHmac(KEY, "123456");
    expect(a).toBe("81724240e1fda9e29cc0d4ab9b2f9ae3ece6e9b0d27fdc255f924f58bc0734f9");
    expect(pinHmac(KEY, "123456")).toBe(a);
    expect(pinHmac(KEY, "123457")).not.toBe(a);
    expect(pinHmac(Buffer.alloc(32, 8), "123456")).not.toBe(a);
  });
});

describe("sameHmac", () => {
  it.each([
    ["equal", "ab".repeat(32), "ab".repeat(32), true],
    ["different", "ab".repeat(32), "ac".repeat(32), false],
    ["different length", "ab".repeat(32), "ab".repeat(31), false],
    ["both empty", "", "", false],
  ])("%s", (_name, a, b, expected) => {
    expect(sameHmac(a, b)).toBe(expected);
  });
});

describe("randomPin", () => {
  it("draws six digits, zero-padded, over the whole range", () => {
    const pins = Array.from({ length: 2000 }, randomPin);
    for (const pin of pins) expect(pin).toMatch(PIN_RE);
    // 2000 draws from 10^6 values: a constant or tiny range would show as few distinct values.
    expect(new Set(pins).size).toBeGreaterThan(1900);
    expect(new Set(pins.map((p) => p[0])).size).toBe(10);
  });
});

describe("newPairingId", () => {
  it("is 32 random bytes in base64url, valid for the shared schema", () => {
    const id = newPairingId();
    expect(id).toMatch(PAIRING_ID_RE);
    expect(Buffer.from(id, "base64url")).toHaveLength(32);
    expect(newPairingId()).not.toBe(id);
  });
});

describe("PinHasher", () => {
  it("loads the key once and hashes with it", async () => {
    let loads = 0;
    const hasher = new PinHasher(async () => {
      loads += 1;
      return KEY;
    });
    const [a, b] = await Promise.all([hasher.hash("000001"), hasher.hash("000002")]);
    expect(a).toBe(pinHmac(KEY, "000001"));
    expect(b).toBe(pinHmac(KEY, "000002"));
    expect(loads).toBe(1);
  });

  it("retries a failed load on the next call instead of caching the failure", async () => {
    let calls = 0;
    const hasher = new PinHasher(async () => {
      calls += 1;
      if (calls === 1) throw new Error("disk not ready");
      return KEY;
    });
    await expect(hasher.hash("000001")).rejects.toThrow("disk not ready");
    expect(await hasher.hash("000001")).toBe(pinHmac(KEY, "000001"));
  });
});
