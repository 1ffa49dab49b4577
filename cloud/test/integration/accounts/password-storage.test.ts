import { scrypt } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type AccountsTestApp, PASSWORD, register, startAccountsApp } from "./accounts-app.js";

// The only accounts tests with the production scrypt parameters (N=2^17: ~0.4 s per hash).
describe.each(TEST_DIALECTS)("stored password hash (%s)", (dialect) => {
  let database: TestDatabase;
  let app: AccountsTestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startAccountsApp(database, { realScrypt: true });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  it("is scrypt N=2^17, r=8, p=1 with a 16-byte salt and a 32-byte key, and verifies", async () => {
    const { email, session } = await register(app);
    const row = await app.db.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", session.user.id)
      .executeTakeFirstOrThrow();
    const stored = row.password_hash as string;
    expect(stored).not.toContain(PASSWORD);
    const [alg, logN, r, p, salt64, key64, ...rest] = stored.split("$");
    expect(rest).toEqual([]);
    expect([alg, logN, r, p]).toEqual(["scrypt", "17", "8", "1"]);
    const salt = Buffer.from(salt64 as string, "base64url");
    const key = Buffer.from(key64 as string, "base64url");
    expect(salt).toHaveLength(16);
    expect(key).toHaveLength(32);
    // Recomputing with the stored parameters gives the stored key: the string is self-describing.
    const derive = promisify(scrypt) as (
      pw: string,
      salt: Buffer,
      len: number,
      opts: { N: number; r: number; p: number; maxmem: number },
    ) => Promise<Buffer>;
    const again = await derive(PASSWORD, salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
    expect(again.equals(key)).toBe(true);
    expect((await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status).toBe(
      200,
    );
  });

  it("two accounts with the same password get different salts and hashes", async () => {
    const a = await register(app);
    const b = await register(app);
    const rows = await app.db.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "in", [a.session.user.id, b.session.user.id])
      .execute();
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(2);
  });
});
