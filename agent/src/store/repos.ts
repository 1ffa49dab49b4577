import type { Kysely } from "kysely";
import { CameraRuntimeRepo } from "./camera-runtime-repo.js";
import { CamerasRepo } from "./cameras-repo.js";
import { EventsRepo } from "./events-repo.js";
import type { OutboxWriter } from "./outbox-repo.js";
import { RecordingsRepo } from "./recordings-repo.js";
import type { AgentDatabase } from "./schema.js";
import { StoreClipIndex } from "./store-clip-index.js";
import { WarningsRepo } from "./warnings-repo.js";

/** The typed repositories over one database connection. */
export interface AgentRepos {
  cameras: CamerasRepo;
  events: EventsRepo;
  recordings: RecordingsRepo;
  warnings: WarningsRepo;
  /** Remote settings, privacy mode and remotely added cameras (migration 0003). */
  runtime: CameraRuntimeRepo;
  /** Retention's view of `recordings` (for the StorageGuard). */
  clipIndex: StoreClipIndex;
}

/**
 * `opts.outbox`: when the cloud is enabled, the repos write what the cloud must learn (event
 * started/updated/ended, recording ready, clip deleted, retention warning) into the outbox in
 * the same transaction as the fact itself.
 */
export function agentRepos(
  db: Kysely<AgentDatabase>,
  now: () => number = Date.now,
  opts: { outbox?: OutboxWriter } = {},
): AgentRepos {
  const recordings = new RecordingsRepo(db, now, opts);
  return {
    cameras: new CamerasRepo(db, now),
    events: new EventsRepo(db, now, opts),
    recordings,
    warnings: new WarningsRepo(db, now, opts),
    runtime: new CameraRuntimeRepo(db, now),
    clipIndex: new StoreClipIndex(recordings),
  };
}
