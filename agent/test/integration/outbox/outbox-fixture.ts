import type { Logger } from "@homecam/shared/node";
import { sql } from "kysely";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { EventsRepo } from "../../../src/store/events-repo.js";
import { OutboxRepo, OutboxWriter } from "../../../src/store/outbox-repo.js";
import { RecordingsRepo } from "../../../src/store/recordings-repo.js";
import type { OutboxRow } from "../../../src/store/schema.js";
import { WarningsRepo } from "../../../src/store/warnings-repo.js";

export { capturingLogger, tempDir } from "../capture/helpers.js";

/**
 * Poll `cond` (sync or async) until it gives a truthy value, which is returned; fail after
 * `timeoutMs` saying what was awaited.
 */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The store with its repositories wired to an outbox, as `main.ts` does when the cloud is on. */
export interface OutboxStore {
  store: AgentStore;
  writer: OutboxWriter;
  outbox: OutboxRepo;
  events: EventsRepo;
  recordings: RecordingsRepo;
  warnings: WarningsRepo;
}

export async function openOutboxStore(
  stateDir: string,
  opts: { cameras?: string[]; log?: Pick<Logger, "warn">; now?: () => number } = {},
): Promise<OutboxStore> {
  const store = await openAgentStore(stateDir, { log: { info: () => {}, warn: () => {} } });
  const now = opts.now ?? Date.now;
  const writer = new OutboxWriter({ now, ...(opts.log && { log: opts.log }) });
  const cameras = opts.cameras ?? ["front", "garage"];
  if (cameras.length > 0) {
    await store.db
      .insertInto("cameras")
      .values(cameras.map((id) => ({ id, name: id, source_type: "test", created_at: 1, updated_at: 1 })))
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }
  return {
    store,
    writer,
    outbox: new OutboxRepo(store.db),
    events: new EventsRepo(store.db, now, { outbox: writer }),
    recordings: new RecordingsRepo(store.db, now, { outbox: writer }),
    warnings: new WarningsRepo(store.db, now, { outbox: writer }),
  };
}

/** Every outbox row in seq order. */
export function allRows(store: AgentStore): Promise<OutboxRow[]> {
  return store.db.selectFrom("outbox").selectAll().orderBy("seq").execute();
}

/** A clip input for `events.finish`. */
export function clip(index: number, startedAt: number, path = `/clips/c${index}.mp4`) {
  return {
    index,
    filePath: path,
    startedAt,
    endedAt: startedAt + 10_000,
    durationMs: 10_000,
    sizeBytes: 1000 + index,
    format: "mp4" as const,
  };
}

/** Make every insert into `outbox` fail, as a full disk or a bug would. */
export async function breakOutboxInserts(store: AgentStore): Promise<void> {
  await sql`CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox broken'); END`.execute(
    store.db,
  );
}
