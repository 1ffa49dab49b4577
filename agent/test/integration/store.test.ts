import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AgentStore, DB_FILE_NAME, openAgentStore } from "../../src/store/agent-store.js";

const log = { info: () => {}, warn: () => {} };

describe("openAgentStore", () => {
  let dir: string;
  const open: AgentStore[] = [];

  async function openStore(now?: () => number): Promise<AgentStore> {
    const store = await openAgentStore(dir, now ? { log, now } : { log });
    open.push(store);
    return store;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-store-"));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates <stateDir>/homecam.db with every table of migrations 0001 to 0005", async () => {
    const store = await openStore();
    expect(store.file).toBe(join(dir, DB_FILE_NAME));
    const tables = (await store.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual([
      "camera_runtime",
      "cameras",
      "events",
      "grants",
      "kv",
      "multipart_parts",
      "multipart_uploads",
      "outbox",
      "recordings",
      "settings",
      "warnings",
    ]);
  });

  it("sets WAL, synchronous=FULL, foreign keys and the busy timeout on the connection", async () => {
    const store = await openStore();
    expect(store.pragmas()).toEqual({
      journalMode: "wal",
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5000,
    });
  });

  it("passes integrity_check", async () => {
    const store = await openStore();
    expect(store.integrityCheck()).toEqual({ ok: true, problems: [] });
  });

  it("re-opens an existing database without re-running migrations, keeping the data", async () => {
    const first = await openStore(() => 1_000);
    await first.kvSet("device.id", "dev-1");
    await first.close();
    open.splice(0);
    const second = await openStore();
    expect(await second.kvGet("device.id")).toBe("dev-1");
    const migrations = await second.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(migrations.map((t) => t.name)).toContain("kysely_migration");
    expect(second.integrityCheck().ok).toBe(true);
  });

  it("gets and replaces kv values, stamping updated_at from the injected clock", async () => {
    let t = 1_000;
    const store = await openStore(() => t);
    expect(await store.kvGet("missing")).toBeUndefined();
    await store.kvSet("k", "one");
    t = 2_000;
    await store.kvSet("k", "two");
    expect(await store.kvGet("k")).toBe("two");
    const row = await store.db.selectFrom("kv").selectAll().where("key", "=", "k").executeTakeFirstOrThrow();
    expect(row.updated_at).toBe(2_000);
  });

  it("enforces foreign keys and the enumerated columns", async () => {
    const store = await openStore();
    const event = {
      id: "e1",
      camera_id: "nope",
      type: "motion" as const,
      started_at: 1,
      ended_at: null,
      duration_ms: null,
      score: 0.5,
      thumbnail_path: null,
      created_at: 1,
    };
    await expect(store.db.insertInto("events").values(event).execute()).rejects.toThrow(/FOREIGN KEY/);
    await store.db
      .insertInto("cameras")
      .values({ id: "front", name: "Front", source_type: "test", created_at: 1, updated_at: 1 })
      .execute();
    await store.db
      .insertInto("events")
      .values({ ...event, camera_id: "front" })
      .execute();
    await expect(
      store.db
        .insertInto("events")
        .values({ ...event, id: "e2", camera_id: "front", type: "bogus" as "motion" })
        .execute(),
    ).rejects.toThrow(/CHECK/);
    const row = await store.db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ pinned: 0, acknowledged: 0, metadata: "{}" });
  });

  it("orders the outbox by an increasing seq and rejects a duplicate idempotency key", async () => {
    const store = await openStore();
    const msg = (id: string) => ({
      id,
      topic_kind: "event",
      camera_id: null,
      type: "event.started",
      body: "{}",
      created_at: 1,
      next_attempt_at: 1,
      delivered_at: null,
    });
    await store.db
      .insertInto("outbox")
      .values([msg("m1"), msg("m2")])
      .execute();
    await expect(store.db.insertInto("outbox").values(msg("m1")).execute()).rejects.toThrow(/UNIQUE/);
    const rows = await store.db
      .selectFrom("outbox")
      .select(["seq", "id", "attempts"])
      .where("delivered_at", "is", null)
      .orderBy("seq")
      .execute();
    expect(rows).toEqual([
      { seq: 1, id: "m1", attempts: 0 },
      { seq: 2, id: "m2", attempts: 0 },
    ]);
  });
});
