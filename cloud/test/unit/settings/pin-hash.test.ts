import { describe, expect, it } from "vitest";
import { hashPin, PIN_SCRYPT, verifyPin } from "../../../src/settings/pin-hash.js";

describe("app-lock PIN hash", () => {
  it("is salted scrypt with its parameters stored, and verifies only the right PIN", async () => {
    const a = await hashPin("0123");
    const b = await hashPin("0123");
    expect(a).not.toBe(b);
    const [alg, logN, r, p, salt, key] = a.split("$");
    expect({ alg, logN: Number(logN), r: Number(r), p: Number(p) }).toEqual({ alg: "scrypt", ...PIN_SCRYPT });
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
    expect(a).not.toContain("0123");
    expect(await verifyPin("0123", a)).toBe(true);
    expect(await verifyPin("123", a)).toBe(false);
    expect(await verifyPin("0124", b)).toBe(false);
  });

  it("verifies with the parameters stored in the hash", async () => {
    const cheap = await hashPin("4321", { logN: 10, r: 8, p: 1 });
    expect(cheap.startsWith("scrypt$10$8$1$")).toBe(true);
    expect(await verifyPin("4321", cheap)).toBe(true);
  });

  it.each([
    "",
    "plain",
    "scrypt$15$8$1$c2FsdA$",
    "scrypt$40$8$1$c2FsdA$" + "A".repeat(43),
    "bcrypt$1$2$3$4$5",
  ])("refuses the malformed hash %j", async (stored) => {
    expect(await verifyPin("1234", stored)).toBe(false);
  });
});
