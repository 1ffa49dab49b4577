import { describe, expect, it } from "vitest";
import { PASSWORD_SCRYPT, PasswordHasher, parsePasswordHash } from "../../../src/auth/password-hash.js";
import { passwordProblem } from "../../../src/auth/password-policy.js";

const fast = new PasswordHasher({ logN: 10, r: 8, p: 1 });

describe("PasswordHasher", () => {
  it("defaults to scrypt N=2^17, r=8, p=1 (ASVS 5.0 Appendix C)", () => {
    expect(PASSWORD_SCRYPT).toEqual({ logN: 17, r: 8, p: 1 });
    expect(new PasswordHasher().params).toEqual(PASSWORD_SCRYPT);
  });

  it("hashes to a self-describing string that verifies", async () => {
    const hash = await fast.hash("correct horse battery");
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await fast.verify("correct horse battery", hash)).toEqual({ ok: true, needsRehash: false });
    expect(await fast.verify("correct horse batterY", hash)).toEqual({ ok: false, needsRehash: false });
  });

  it("salts every hash", async () => {
    expect(await fast.hash("same password")).not.toBe(await fast.hash("same password"));
  });

  it("treats canonically equivalent Unicode as the same password (NFKC)", async () => {
    const hash = await fast.hash("caf\u00e9 au lait!");
    expect((await fast.verify("cafe\u0301 au lait!", hash)).ok).toBe(true);
  });

  it("asks for a rehash when the stored parameters are not the current ones", async () => {
    const old = await new PasswordHasher({ logN: 9, r: 8, p: 1 }).hash("an older password");
    expect(await fast.verify("an older password", old)).toEqual({ ok: true, needsRehash: true });
  });

  it.each([
    ["", "empty"],
    ["bcrypt$10$abc", "another algorithm"],
    ["scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "absurd N"],
    ["scrypt$10$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "short salt"],
    ["scrypt$10$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "short key"],
    ["scrypt$x$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a number"],
  ])("refuses a malformed stored hash (%s: %s) without throwing", async (stored) => {
    expect(parsePasswordHash(stored)).toBeNull();
    expect(await fast.verify("whatever password", stored)).toEqual({ ok: false, needsRehash: false });
  });

  it("burn() spends a verification on a dummy hash", async () => {
    await expect(fast.burn("anything at all")).resolves.toBeUndefined();
  });
});

describe("passwordProblem", () => {
  it.each([
    ["a fine long passphrase", "ada@example.com", null],
    ["short", "ada@example.com", "at least 10 characters"],
    ["x".repeat(257), "ada@example.com", "at most 256 characters"],
    ["ADA@example.com", "ada@example.com", "must not be the e-mail address"],
    ["my ada@example.com!", "ada@example.com", "must not be the e-mail address"],
    ["lovelace99", "lovelace99@example.com", "must not be the e-mail address"],
    ["qwertyuiop", "ada@example.com", "too common: choose a longer passphrase"],
    ["aaaaaaaaaaaa", "ada@example.com", "too simple: one repeated character"],
  ])("%j for %s → %s", (password, email, expected) => {
    expect(passwordProblem(password, email)).toBe(expected);
  });
});
