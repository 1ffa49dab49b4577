import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.js";
import {
  buildPairingUrl,
  PAIRING_ID_RE,
  pairingIdSchema,
  pairingSessionSchema,
  parsePairingUrl,
  pinSchema,
} from "../../src/pairing.js";

const PID = "q3Zr8V0aLkTn2xYw_P-uEg"; // 22 chars = 132 bits
const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("");
const pairingIdArb = fc.string({ unit: fc.constantFrom(...idChars), minLength: 22, maxLength: 64 });
const pinArb = fc.string({ unit: fc.constantFrom(..."0123456789".split("")), minLength: 6, maxLength: 6 });
const baseArb = fc
  .tuple(
    fc.constantFrom("https", "http"),
    fc.domain(),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.array(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([scheme, host, port, path, slash]) => {
    const p = path.length > 0 ? `/${path.join("/")}` : "";
    return `${scheme}://${host}${port === undefined ? "" : `:${port}`}${p}${slash ? "/" : ""}`;
  });

describe("schemas", () => {
  it("pairingIdSchema wants 22–64 base64url chars", () => {
    expect(pairingIdSchema.parse(PID)).toBe(PID);
    expect(pairingIdSchema.safeParse(PID.slice(1)).success).toBe(false);
    expect(pairingIdSchema.safeParse("a".repeat(64)).success).toBe(true);
    expect(pairingIdSchema.safeParse("a".repeat(65)).success).toBe(false);
    expect(pairingIdSchema.safeParse(`${PID.slice(1)}=`).success).toBe(false);
    expect(pairingIdSchema.safeParse(`${PID.slice(1)}+`).success).toBe(false);
  });

  it("pinSchema wants exactly six digits as a string", () => {
    expect(pinSchema.parse("012345")).toBe("012345");
    for (const bad of ["12345", "1234567", "12345a", " 123456", "１２３４５６", 123456]) {
      expect(pinSchema.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it("pairingSessionSchema accepts the generate response and rejects bad members", () => {
    const session = {
      pairingId: PID,
      pin: "004217",
      url: buildPairingUrl("https://cam.example.org", { pairingId: PID, pin: "004217" }),
      expiresAt: "2030-01-01T10:10:00.000Z",
    };
    expect(pairingSessionSchema.parse(session)).toEqual(session);
    expect(pairingSessionSchema.safeParse({ ...session, expiresAt: "tomorrow" }).success).toBe(false);
    expect(pairingSessionSchema.safeParse({ ...session, expiresAt: 1893492600000 }).success).toBe(false);
    expect(pairingSessionSchema.safeParse({ ...session, url: "javascript:alert(1)" }).success).toBe(false);
    expect(pairingSessionSchema.safeParse({ ...session, pin: "42" }).success).toBe(false);
  });
});

describe("buildPairingUrl", () => {
  it("puts both secrets in the fragment of the claim page", () => {
    expect(buildPairingUrl("https://cam.example.org", { pairingId: PID, pin: "004217" })).toBe(
      `https://cam.example.org/pair#pid=${PID}&pin=004217`,
    );
    expect(buildPairingUrl("http://192.168.1.20:8080/app/", { pairingId: PID, pin: "999999" })).toBe(
      `http://192.168.1.20:8080/app/pair#pid=${PID}&pin=999999`,
    );
  });

  it("throws E_VALIDATION on a bad base, id or PIN", () => {
    const s = { pairingId: PID, pin: "123456" };
    for (const base of [
      "",
      "cam.example.org",
      "ftp://x.org",
      "javascript:alert(1)",
      "https://x.org/?a=1",
      "https://x.org#f",
    ]) {
      expect(() => buildPairingUrl(base, s), base).toThrow(ApiError);
    }
    expect(() => buildPairingUrl("https://x.org", { pairingId: "short", pin: "123456" })).toThrow(ApiError);
    expect(() => buildPairingUrl("https://x.org", { pairingId: PID, pin: "12345" })).toThrow(/PIN/);
  });
});

describe("parsePairingUrl", () => {
  it("reads the fragment form and the query form", () => {
    expect(parsePairingUrl(`https://x.org/pair#pid=${PID}&pin=004217`)).toEqual({
      pairingId: PID,
      pin: "004217",
    });
    expect(parsePairingUrl(`https://x.org/pair#pin=004217&pid=${PID}`)).toEqual({
      pairingId: PID,
      pin: "004217",
    });
    expect(parsePairingUrl(`https://x.org/pair?pid=${PID}&pin=004217`)).toEqual({
      pairingId: PID,
      pin: "004217",
    });
    expect(parsePairingUrl(`  https://x.org/pair?pid=${PID}&pin=004217\n`)).toEqual({
      pairingId: PID,
      pin: "004217",
    });
  });

  it("prefers a complete fragment over the query", () => {
    expect(
      parsePairingUrl(`https://x.org/pair?pid=${"b".repeat(22)}&pin=111111#pid=${PID}&pin=222222`),
    ).toEqual({
      pairingId: PID,
      pin: "222222",
    });
  });

  it("returns null for anything else", () => {
    const bad = [
      "",
      "not a url",
      `pair#pid=${PID}&pin=004217`,
      `javascript:alert(1)//#pid=${PID}&pin=004217`,
      `ftp://x.org/pair#pid=${PID}&pin=004217`,
      "https://x.org/pair",
      `https://x.org/pair#pid=${PID}`,
      `https://x.org/pair#pid=${PID}&pin=12345`,
      `https://x.org/pair#pid=short&pin=123456`,
      `https://x.org/pair#pid=${PID}&pin=123456&pin=654321`,
      `https://x.org/pair#pid=${PID}&pid=${PID}&pin=123456`,
      `https://x.org/pair?pid=${PID}#pin=123456`,
      `https://x.org/pair#pid=${PID}%2B&pin=123456`,
      `https://x.org/${"a".repeat(3000)}#pid=${PID}&pin=123456`,
    ];
    for (const url of bad) expect(parsePairingUrl(url), url).toBeNull();
    expect(parsePairingUrl(42 as unknown as string)).toBeNull();
  });

  it("round-trips buildPairingUrl for random bases, ids and PINs", () => {
    fc.assert(
      fc.property(baseArb, pairingIdArb, pinArb, (base, pairingId, pin) => {
        const url = buildPairingUrl(base, { pairingId, pin });
        expect(url).toMatch(/^https?:\/\/[^#?]*\/pair#pid=[^&]+&pin=\d{6}$/);
        expect(parsePairingUrl(url)).toEqual({ pairingId, pin });
      }),
      { numRuns: 300 },
    );
  });

  it("never throws and only returns valid secrets on arbitrary input", () => {
    const urlish = fc.oneof(fc.string(), fc.webUrl({ withFragments: true, withQueryParameters: true }));
    fc.assert(
      fc.property(urlish, (url) => {
        const result = parsePairingUrl(url);
        if (result !== null) {
          expect(result.pairingId).toMatch(PAIRING_ID_RE);
          expect(result.pin).toMatch(/^\d{6}$/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
