import type { Kysely } from "kysely";
import { z } from "zod";
import { cameraFlag, configFlag, intFlag, jsonFlag, parseFlags, sinceFlag } from "../control/cli-flags.js";
import { cell, formatDurationMs, formatLocalTime, formatTable } from "../control/cli-table.js";
import { openReadOnlyStore } from "../control/read-only-store.js";
import { type StoredEvent, toEvent } from "../store/events-repo.js";
import type { AgentDatabase } from "../store/schema.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

const flagsSchema = z.strictObject({
  config: configFlag,
  camera: cameraFlag.optional(),
  since: sinceFlag.optional(),
  limit: intFlag(1, 10_000).default(50),
  json: jsonFlag,
});

/** One event as `homecam events list --json` prints it (times in epoch ms), with its clip count. */
export type EventListItem = Omit<StoredEvent, "createdAt"> & { recordings: number };

export interface EventFilter {
  cameraId?: string | undefined;
  sinceMs?: number | undefined;
  limit: number;
}

/** Events newest first, with their clip counts. */
export async function listEvents(db: Kysely<AgentDatabase>, filter: EventFilter): Promise<EventListItem[]> {
  let q = db
    .selectFrom("events as e")
    .selectAll("e")
    .select((eb) =>
      eb
        .selectFrom("recordings as r")
        .select((r) => r.fn.countAll<number>().as("n"))
        .whereRef("r.event_id", "=", "e.id")
        .as("recordings"),
    )
    .orderBy("e.started_at", "desc")
    .orderBy("e.id", "desc")
    .limit(filter.limit);
  if (filter.cameraId !== undefined) q = q.where("e.camera_id", "=", filter.cameraId);
  if (filter.sinceMs !== undefined) q = q.where("e.started_at", ">=", filter.sinceMs);
  const rows = await q.execute();
  return rows.map((r) => {
    const { createdAt: _createdAt, ...event } = toEvent(r);
    return { ...event, recordings: Number(r.recordings ?? 0) };
  });
}

/** The human table (pure; local times). */
export function formatEventsTable(events: readonly EventListItem[], limit?: number): string {
  if (events.length === 0) return "No events found.\n";
  const rows = events.map((e) => [
    e.id,
    e.cameraId,
    e.type,
    formatLocalTime(e.startedAt),
    e.endedAt === null ? "ongoing" : formatDurationMs(e.durationMs ?? e.endedAt - e.startedAt),
    String(Math.round(e.score * 100) / 100),
    String(e.recordings),
    cell([e.pinned ? "pinned" : "", e.acknowledged ? "seen" : ""].filter(Boolean).join(",")),
  ]);
  let text = formatTable(["ID", "CAMERA", "TYPE", "STARTED", "DURATION", "SCORE", "CLIPS", "FLAGS"], rows, {
    right: [4, 5, 6],
  });
  if (limit !== undefined && events.length >= limit) {
    text += `(the newest ${limit} shown; --limit shows more)\n`;
  }
  return text;
}

/**
 * `homecam events list [--camera <id>] [--since <date|duration>] [--limit N] [--json]`: reads the
 * database directly (read-only), so it works whether or not the agent runs.
 */
export async function eventsListCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, opts);
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;
  const store = openReadOnlyStore(loaded.config.stateDir);
  try {
    const events = await listEvents(store.db, {
      cameraId: flags.camera,
      sinceMs: flags.since,
      limit: flags.limit,
    });
    process.stdout.write(
      flags.json ? `${JSON.stringify(events, null, 2)}\n` : formatEventsTable(events, flags.limit),
    );
    return 0;
  } finally {
    await store.close();
  }
}
