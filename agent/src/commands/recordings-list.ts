import { resolve } from "node:path";
import type { Kysely } from "kysely";
import { z } from "zod";
import { cameraFlag, configFlag, intFlag, jsonFlag, parseFlags, sinceFlag } from "../control/cli-flags.js";
import { cell, formatBytes, formatDurationMs, formatLocalTime, formatTable } from "../control/cli-table.js";
import { openReadOnlyStore } from "../control/read-only-store.js";
import type { AgentDatabase, UploadState } from "../store/schema.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

const flagsSchema = z.strictObject({
  config: configFlag,
  camera: cameraFlag.optional(),
  event: z.string().trim().min(1, "must be an event id").max(128).optional(),
  since: sinceFlag.optional(),
  limit: intFlag(1, 10_000).default(50),
  json: jsonFlag,
});

/** One clip as `homecam recordings list --json` prints it (times in epoch ms). */
export interface RecordingListItem {
  id: string;
  cameraId: string;
  /** null when the clip outlived its event row. */
  eventId: string | null;
  /** Position of the clip within its event. */
  index: number;
  /** Absolute path of the clip file. */
  path: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  sizeBytes: number;
  format: string;
  uploadState: UploadState;
  uploaded: boolean;
  uploadedAt: number | null;
}

export interface RecordingFilter {
  cameraId?: string | undefined;
  eventId?: string | undefined;
  sinceMs?: number | undefined;
  limit: number;
}

/** Clips newest first. Relative file paths are resolved against the state directory. */
export async function listRecordings(
  db: Kysely<AgentDatabase>,
  stateDir: string,
  filter: RecordingFilter,
): Promise<RecordingListItem[]> {
  let q = db
    .selectFrom("recordings")
    .selectAll()
    .orderBy("started_at", "desc")
    .orderBy("idx", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit);
  if (filter.cameraId !== undefined) q = q.where("camera_id", "=", filter.cameraId);
  if (filter.eventId !== undefined) q = q.where("event_id", "=", filter.eventId);
  if (filter.sinceMs !== undefined) q = q.where("started_at", ">=", filter.sinceMs);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    cameraId: r.camera_id,
    eventId: r.event_id,
    index: r.idx,
    path: resolve(stateDir, r.file_path),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    sizeBytes: r.size_bytes,
    format: r.format,
    uploadState: r.upload_state,
    uploaded: r.upload_state === "uploaded",
    uploadedAt: r.uploaded_at,
  }));
}

const UPLOAD_LABEL: Record<UploadState, string> = {
  pending: "pending",
  uploading: "uploading",
  uploaded: "uploaded",
  local_only: "local only",
};

/** The human table (pure; local times). */
export function formatRecordingsTable(recs: readonly RecordingListItem[], limit?: number): string {
  if (recs.length === 0) return "No recordings found.\n";
  const rows = recs.map((r) => [
    r.id,
    r.cameraId,
    cell(r.eventId),
    formatLocalTime(r.startedAt),
    formatDurationMs(r.durationMs),
    formatBytes(r.sizeBytes),
    UPLOAD_LABEL[r.uploadState] ?? r.uploadState,
    r.path,
  ]);
  let text = formatTable(["ID", "CAMERA", "EVENT", "STARTED", "DURATION", "SIZE", "UPLOAD", "FILE"], rows, {
    right: [4, 5],
  });
  if (limit !== undefined && recs.length >= limit) {
    text += `(the newest ${limit} shown; --limit shows more)\n`;
  }
  return text;
}

/**
 * `homecam recordings list [--camera <id>] [--event <id>] [--since …] [--limit N] [--json]`: reads
 * the database directly (read-only), so it works whether or not the agent runs.
 */
export async function recordingsListCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, opts);
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;
  const { stateDir } = loaded.config;
  const store = openReadOnlyStore(stateDir);
  try {
    const recs = await listRecordings(store.db, stateDir, {
      cameraId: flags.camera,
      eventId: flags.event,
      sinceMs: flags.since,
      limit: flags.limit,
    });
    process.stdout.write(
      flags.json ? `${JSON.stringify(recs, null, 2)}\n` : formatRecordingsTable(recs, flags.limit),
    );
    return 0;
  } finally {
    await store.close();
  }
}
