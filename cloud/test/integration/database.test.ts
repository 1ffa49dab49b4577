import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countInstanceMeta, getInstanceMeta, setInstanceMeta } from "../../src/db/instance-meta.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { MIGRATIONS } from "../../src/db/migrations/index.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../helpers/databases.js";
import { silentLogger } from "../helpers/logs.js";

describe.each(TEST_DIALECTS)("database on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database?.dispose();
  });

  it("applies every migration once, and a second run is a no-op", async () => {
    const handle = database.open();
    expect(handle.dialect).toBe(dialect);
    expect(await migrateToLatest(handle, silentLogger())).toEqual(Object.keys(MIGRATIONS));
    expect(await migrateToLatest(handle, silentLogger())).toEqual([]);
    const tables = await handle.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toContain("instance_meta");
  });

  it("sees the migrations of an earlier process as applied", async () => {
    const first = database.open();
    await migrateToLatest(first, silentLogger());
    await first.close();
    expect(await migrateToLatest(database.open(), silentLogger())).toEqual([]);
  });

  it("round-trips instance_meta, with timestamps back as numbers", async () => {
    const handle = database.open();
    const { db } = handle;
    await migrateToLatest(handle, silentLogger());
    expect(await getInstanceMeta(db, "k")).toBeUndefined();
    await setInstanceMeta(db, "k", "one", 1_700_000_000_123);
    expect(await getInstanceMeta(db, "k")).toEqual({ key: "k", value: "one", updatedAt: 1_700_000_000_123 });
    await setInstanceMeta(db, "k", "two", 1_700_000_000_456);
    expect(await getInstanceMeta(db, "k")).toEqual({ key: "k", value: "two", updatedAt: 1_700_000_000_456 });
    expect(await countInstanceMeta(db)).toBe(1);
  });

  it("enforces NOT NULL on instance_meta.value", async () => {
    const handle = database.open();
    await migrateToLatest(handle, silentLogger());
    await expect(
      sql`insert into instance_meta (key, value, updated_at) values (${"k"}, ${null}, ${1})`.execute(
        handle.db,
      ),
    ).rejects.toThrow();
  });
});

describe("database on sqlite", () => {
  it("opens with WAL, a busy timeout, foreign keys and synchronous=NORMAL", async () => {
    const database = await createTestDatabase("sqlite");
    try {
      const { db } = database.open();
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma("journal_mode")).toBe("wal");
      expect(await pragma("busy_timeout")).toBe(5000);
      expect(await pragma("foreign_keys")).toBe(1);
      expect(await pragma("synchronous")).toBe(1); // 1 = NORMAL
    } finally {
      await database.dispose();
    }
  });
});

describe("database on postgres", () => {
  // Regression: kysely's Migrator looked for its bookkeeping table in any schema, so a second
  // installation sharing the database believed it was already migrated.
  it("migrates two schemas of one database independently", async () => {
    const a = await createTestDatabase("postgres");
    const b = await createTestDatabase("postgres");
    try {
      expect(await migrateToLatest(a.open(), silentLogger())).toEqual(Object.keys(MIGRATIONS));
      expect(await migrateToLatest(b.open(), silentLogger())).toEqual(Object.keys(MIGRATIONS));
      const handle = b.open();
      await setInstanceMeta(handle.db, "only-in-b", "x");
      expect(await countInstanceMeta(a.open().db)).toBe(0);
      expect(await countInstanceMeta(handle.db)).toBe(1);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
