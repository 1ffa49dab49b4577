import type { Kysely } from "kysely";
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
    clipIndex: new StoreClipIndex(recordings),
  };
}
