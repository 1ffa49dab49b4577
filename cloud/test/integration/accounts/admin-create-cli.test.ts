import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePasswordHash } from "../../../src/auth/password-hash.js";
import type { DatabaseHandle } from "../../../src/db/open-database.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Run `homecam-cloud admin create …` from sources, writing `stdin` (then closing it). */
function adminCreate(config: string, args: string[], stdin = "") {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HOMECAM_")));
  delete env.CREDENTIALS_DIRECTORY;
  const child = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      "cloud/src/cli.ts",
      "admin",
      "create",
      "--config",
      config,
      ...args,
    ],
    { cwd: ROOT, env, stdio: "pipe" },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(TEST_DIALECTS)("homecam-cloud admin create (%s)", (dialect) => {
  let database: TestDatabase;
  let config: string;
  let db: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    config = join(database.stateDir, "cloud.yaml");
    await writeFile(
      config,
      [
        `stateDir: ${JSON.stringify(database.stateDir)}`,
        `database: { url: ${JSON.stringify(database.url)} }`,
        "log: { level: warn }",
        "",
      ].join("\n"),
    );
    db = database.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const user = (email: string) =>
    db.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();

  it("creates an administrator with a verified e-mail from a password on stdin", async () => {
    const result = await adminCreate(
      config,
      ["--email", "Root@Example.com", "--name", "Root", "--password-stdin"],
      "a long admin passphrase\n",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created administrator root@example\.com \(id [0-9a-f-]{36}\)$/m);
    const row = await user("root@example.com");
    expect(row).toMatchObject({
      role: "admin",
      email_verified: 1,
      is_active: 1,
      name: "Root",
      provider: "local",
    });
    expect(parsePasswordHash(row?.password_hash as string)).toMatchObject({ logN: 17, r: 8, p: 1 });
  });

  it("promotes an existing account without asking for a password", async () => {
    const now = Date.now();
    await db.db
      .insertInto("users")
      .values({
        id: "existing-user",
        email: "someone@example.com",
        password_hash: null,
        name: "Someone",
        nickname: null,
        bio: null,
        phone: null,
        birth: null,
        picture_url: null,
        email_verified: 0,
        google_id: null,
        provider: "local",
        role: "user",
        is_active: 0,
        last_login_at: null,
        tokens_valid_after: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const result = await adminCreate(config, ["--email", "someone@example.com", "--name", "Ignored"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("promoted someone@example.com (id existing-user) to administrator");
    expect(await user("someone@example.com")).toMatchObject({
      role: "admin",
      is_active: 1,
      email_verified: 1,
      name: "Someone",
    });
  });

  it("never invents a password, nor accepts a weak one: exit 2 and no account", async () => {
    const [none, weak] = await Promise.all([
      adminCreate(config, ["--email", "nopass@example.com", "--name", "No"]),
      adminCreate(config, ["--email", "weak@example.com", "--name", "Weak", "--password-stdin"], "short\n"),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--password-stdin");
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain("password: at least 10 characters");
    expect(await user("nopass@example.com")).toBeUndefined();
    expect(await user("weak@example.com")).toBeUndefined();
  });
});
