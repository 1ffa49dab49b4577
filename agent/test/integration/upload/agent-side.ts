import { stat } from "node:fs/promises";
import { createLogger } from "@homecam/shared/node";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { Uploader, type UploaderOptions } from "../../../src/cloud/uploader.js";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { MultipartUploadsRepo } from "../../../src/store/multipart-uploads-repo.js";
import { OutboxRepo, OutboxWriter } from "../../../src/store/outbox-repo.js";
import { insertRecordings } from "../../../src/store/recordings-repo.js";
import { type AgentRepos, agentRepos } from "../../../src/store/repos.js";

// The agent's side of the upload tests: its real SQLite store (with the outbox, as when the cloud is
// enabled), its device identity and REST client, and the uploader built over them. `reopen` is a
// restart: a new connection, new repositories and a new uploader on the same database file.

export const silentLog = createLogger({ name: "test", level: "silent" });

export interface AgentSide {
  store: AgentStore;
  repos: AgentRepos;
  multipart: MultipartUploadsRepo;
  outbox: OutboxRepo;
  api: CloudApi;
  uploader(over?: Partial<UploaderOptions>): Uploader;
  /** Close the database (the uploader must be stopped) and open it again. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function openAgentSide(dir: string, cloudUrl: string): Promise<AgentSide> {
  const identity = await loadOrCreateDeviceIdentity(dir);
  const api = new CloudApi({ baseUrl: cloudUrl, identity });
  const open = async () => {
    const store = await openAgentStore(dir, { log: silentLog });
    const repos = agentRepos(store.db, Date.now, { outbox: new OutboxWriter() });
    return { store, repos, multipart: new MultipartUploadsRepo(store.db), outbox: new OutboxRepo(store.db) };
  };
  let parts = await open();
  return {
    get store() {
      return parts.store;
    },
    get repos() {
      return parts.repos;
    },
    get multipart() {
      return parts.multipart;
    },
    get outbox() {
      return parts.outbox;
    },
    api,
    uploader: (over = {}) =>
      new Uploader({
        api,
        recordings: parts.repos.recordings,
        multipart: parts.multipart,
        log: silentLog,
        pollMs: 100,
        retry: { initialMs: 20, maxMs: 200 },
        partRetryMs: 10,
        ...over,
      }),
    async reopen() {
      await parts.store.close();
      parts = await open();
    },
    close: () => parts.store.close(),
  };
}

let seq = 0;

async function ensureCamera(side: AgentSide): Promise<void> {
  const now = Date.now();
  await side.store.db
    .insertInto("cameras")
    .values({ id: "cam", name: "Cam", source_type: "rtsp", enabled: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** A clip of camera `cam` that belongs to no event (e.g. continuous recording). */
export async function addEventlessClip(side: AgentSide, filePath: string): Promise<string> {
  await ensureCamera(side);
  const startedAt = Date.now() - 600_000 + seq++ * 5_000;
  const [rec] = await insertRecordings(
    side.store.db,
    null,
    "cam",
    [
      {
        index: 0,
        filePath,
        startedAt,
        endedAt: startedAt + 1_000,
        durationMs: 1_000,
        sizeBytes: (await stat(filePath)).size,
        format: "mp4",
      },
    ],
    Date.now(),
  );
  return rec!.id;
}

/** An ended event of camera `cam` with `clips` (index order) and an optional thumbnail. */
export async function addEvent(
  side: AgentSide,
  files: { clips: string[]; thumb?: string; pinned?: boolean },
): Promise<{ eventId: string; recordingIds: string[] }> {
  await ensureCamera(side);
  const startedAt = Date.now() - 600_000 + seq++ * 5_000;
  const event = await side.repos.events.insert({ cameraId: "cam", type: "motion", startedAt });
  const clips = await Promise.all(
    files.clips.map(async (filePath, index) => ({
      index,
      filePath,
      startedAt: startedAt + index * 1_000,
      endedAt: startedAt + (index + 1) * 1_000,
      durationMs: 1_000,
      sizeBytes: (await stat(filePath)).size,
      format: "mp4" as const,
    })),
  );
  const thumbnail = files.thumb ? { path: files.thumb, sizeBytes: (await stat(files.thumb)).size } : null;
  const { recordings } = await side.repos.events.finish(
    event,
    { endedAt: startedAt + clips.length * 1_000, score: 0.5, metadata: {}, thumbnail },
    clips,
  );
  if (files.pinned)
    await side.store.db.updateTable("events").set({ pinned: 1 }).where("id", "=", event.id).execute();
  return { eventId: event.id, recordingIds: recordings.map((r) => r.id) };
}

export async function pollUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
