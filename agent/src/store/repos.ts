import type { Kysely } from "kysely";
import { CameraRuntimeRepo } from "./camera-runtime-repo.js";
import { CamerasRepo } from "./cameras-repo.js";
import { EventsRepo } from "./events-repo.js";
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

export function agentRepos(db: Kysely<AgentDatabase>, now: () => number = Date.now): AgentRepos {
  const recordings = new RecordingsRepo(db, now);
  return {
    cameras: new CamerasRepo(db, now),
    events: new EventsRepo(db, now),
    recordings,
    warnings: new WarningsRepo(db, now),
    runtime: new CameraRuntimeRepo(db, now),
    clipIndex: new StoreClipIndex(recordings),
  };
}
