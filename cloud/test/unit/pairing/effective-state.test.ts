import { describe, expect, it } from "vitest";
import { effectiveState, type PairingSessionRow } from "../../../src/pairing/pairing-store.js";

const base: PairingSessionRow = {
  id: "x".repeat(43),
  deviceId: "d".repeat(43),
  pinHmac: "00",
  origin: "device",
  invitedBy: null,
  state: "open",
  failedAttempts: 0,
  createdAt: 0,
  expiresAt: 1000,
  claimedBy: null,
  claimedAt: null,
  claimedRole: null,
};

describe("effectiveState", () => {
  it.each([
    ["open before expiry", "open", 999, "open"],
    ["open at expiry", "open", 1000, "expired"],
    ["open after expiry", "open", 5000, "expired"],
    ["claimed after expiry stays claimed", "claimed", 5000, "claimed"],
    ["burned", "burned", 10, "burned"],
    ["cancelled", "cancelled", 10, "cancelled"],
  ] as const)("%s", (_name, state, now, expected) => {
    expect(effectiveState({ ...base, state }, now)).toBe(expected);
  });
});
