import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@homecam/shared/node";
import { clipFile, clipsDir } from "../../../src/camera/clip-paths.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { OutboxWriter } from "../../../src/store/outbox-repo.js";
import { type AgentRepos, agentRepos } from "../../../src/store/repos.js";

// A real agent store (SQLite, migrations, outbox on, as with the cloud enabled) whose recordings
// are real MP4 files made by ffmpeg under the state directory's clips/ — what the storage guard
// meets on a device.

const run = promisify(execFile);
const CAMERA = "front-door";

/** One real MP4 of about `kib` KiB (noise compresses badly, so the size follows the bitrate). */
export async function makeClip(dir: string, kib: number): Promise<string> {
  const file = join(dir, "template.mp4");
  const seconds = 2;
  const kbps = Math.round((kib * 8 * 1024) / 1000 / seconds);
  await run("ffmpeg", [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi"],
    ...["-i", `nullsrc=s=320x240:r=10:d=${seconds},geq=random(1)*255:128:128`],
    ...["-c:v", "libx264", "-b:v", `${kbps}k`, "-minrate", `${kbps}k`, "-maxrate", `${kbps}k`],
    ...["-bufsize", `${kbps}k`, "-pix_fmt", "yuv420p", file],
  ]);
  return file;
}

export interface ClipWorld {
  stateDir: string;
  clipsDir: string;
  store: AgentStore;
  repos: AgentRepos;
  close(): Promise<void>;
}

export async function openClipWorld(): Promise<ClipWorld> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-retention-"));
  const log = createLogger({ name: "test", level: "silent" });
  const store = await openAgentStore(stateDir, { log });
  const repos = agentRepos(store.db, Date.now, { outbox: new OutboxWriter() });
  const now = Date.now();
  await store.db
    .insertInto("cameras")
    .values({
      id: CAMERA,
      name: "Front door",
      source_type: "test",
      enabled: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return {
    stateDir,
    clipsDir: clipsDir(stateDir),
    store,
    repos,
    async close() {
      await store.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** An ended event with one clip, a copy of `template`, started `ageMin` minutes ago. */
export async function addRecording(
  w: ClipWorld,
  template: string,
  opts: { ageMin: number; uploaded: boolean },
): Promise<{ recordingId: string; eventId: string; filePath: string; sizeBytes: number }> {
  const startedAt = Date.now() - opts.ageMin * 60_000;
  const event = await w.repos.events.insert({ cameraId: CAMERA, type: "motion", startedAt });
  const filePath = clipFile(w.clipsDir, CAMERA, startedAt, event.id, 0);
  await mkdir(dirname(filePath), { recursive: true });
  await copyFile(template, filePath);
  const sizeBytes = (await stat(filePath)).size;
  const { recordings } = await w.repos.events.finish(
    event,
    { endedAt: startedAt + 2_000, score: 0.5, metadata: {} },
    [
      {
        index: 0,
        filePath,
        startedAt,
        endedAt: startedAt + 2_000,
        durationMs: 2_000,
        sizeBytes,
        format: "mp4",
      },
    ],
  );
  const recordingId = recordings[0]!.id;
  if (opts.uploaded) await w.repos.recordings.markUploaded(recordingId);
  return { recordingId, eventId: event.id, filePath, sizeBytes };
}

/** What the store queued for the cloud and recorded locally about deletions. */
export async function deletionReports(w: ClipWorld) {
  const outbox = await w.store.db.selectFrom("outbox").select(["type", "body"]).execute();
  const subjects = (type: string) =>
    outbox
      .filter((r) => r.type === type)
      .map((r) => (JSON.parse(r.body) as { recordingId: string }).recordingId);
  const warnings = await w.store.db
    .selectFrom("warnings")
    .select(["kind", "recording_id"])
    .where("kind", "=", "clip-deleted-not-uploaded")
    .execute();
  return {
    clipDeleted: subjects("clip.deleted"),
    retentionWarning: subjects("retention.warning"),
    warnings: warnings.map((r) => r.recording_id),
  };
}
