import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type CameraConfig, type RecordingSettings, recordingSettingsSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { segmentNumber } from "../capture/segment-files.js";
import { planClip } from "../recording/clip-plan.js";
import { probe } from "../recording/ffprobe.js";
import type { EventsRepo, StoredEvent } from "../store/events-repo.js";
import type { RecordingsRepo } from "../store/recordings-repo.js";
import { clipsDir, isTempClipFile, ringDir } from "./clip-paths.js";
import { writeEventClips } from "./event-clips.js";
import {
  filesToProbe,
  interruptedEndMs,
  type LeftSegment,
  recoveryWindow,
  segmentsFromFiles,
} from "./recovery-plan.js";

export interface RecoveryOptions {
  stateDir: string;
  /** Configured cameras (their recording settings); events of other cameras get the defaults. */
  cameras: readonly CameraConfig[];
  events: EventsRepo;
  recordings: RecordingsRepo;
  log: Pick<Logger, "info" | "warn" | "error">;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export interface RecoveryReport {
  tempFilesRemoved: number;
  /** Recording rows removed because their file was gone. */
  missingFiles: string[];
  /** Events closed as interrupted, with the clips written for them from the old ring. */
  interrupted: { eventId: string; cameraId: string; endedAt: number; clips: number }[];
}

/**
 * Put the store and the clips directory back in order after an unclean stop, before capture starts
 * (capture deletes the old ring's segments, which recovery cuts the interrupted clips from):
 * 1. temporary files of clip/JPEG writes cut short are deleted;
 * 2. recording rows whose file is gone are removed, each with a `recording-file-missing` warning;
 * 3. events still open are closed as interrupted (`metadata.interrupted`), ending at the last video
 *    the ring holds, with their clip when the ring's segments still cover them.
 */
export async function recoverAfterCrash(o: RecoveryOptions): Promise<RecoveryReport> {
  const report: RecoveryReport = { tempFilesRemoved: 0, missingFiles: [], interrupted: [] };
  report.tempFilesRemoved = await removeTempFiles(clipsDir(o.stateDir), o.log);

  const missing: string[] = [];
  for (const r of await o.recordings.files()) if (!(await exists(r.filePath))) missing.push(r.id);
  const removed = await o.recordings.removeMany(
    missing,
    (r) => ({
      kind: "recording-file-missing",
      cameraId: r.cameraId,
      eventId: r.eventId,
      recordingId: r.id,
      message: "a clip's file was missing at start; its recording was removed",
      data: { filePath: r.filePath, sizeBytes: r.sizeBytes, startedAt: r.startedAt },
    }),
    "file-missing",
  );
  report.missingFiles = removed.map((r) => r.filePath);
  if (removed.length)
    o.log.warn({ files: report.missingFiles }, "recordings whose file is missing were removed");

  const open = await o.events.listOpen();
  const byCamera = new Map<string, StoredEvent[]>();
  for (const e of open) byCamera.set(e.cameraId, [...(byCamera.get(e.cameraId) ?? []), e]);
  for (const [cameraId, events] of byCamera) {
    const rec = o.cameras.find((c) => c.id === cameraId)?.recording ?? recordingSettingsSchema.parse({});
    const left = await leftSegments(ringDir(o.stateDir, cameraId));
    const lastEnd = left.reduce<number | undefined>((t, f) => Math.max(t ?? f.mtimeMs, f.mtimeMs), undefined);
    for (const ev of events) {
      try {
        report.interrupted.push(await closeInterrupted(o, ev, rec, left, lastEnd));
      } catch (err) {
        o.log.error({ err, eventId: ev.id }, "cannot close an interrupted event");
      }
    }
  }
  if (report.interrupted.length) {
    o.log.warn({ events: report.interrupted }, "events interrupted by an unclean stop were closed");
  }
  return report;
}

async function closeInterrupted(
  o: RecoveryOptions,
  ev: StoredEvent,
  rec: RecordingSettings,
  left: LeftSegment[],
  lastEnd: number | undefined,
): Promise<RecoveryReport["interrupted"][number]> {
  const manual = ev.type === "manual";
  const endedAt = interruptedEndMs(ev, lastEnd, manual ? Number.POSITIVE_INFINITY : rec.maxSeconds * 1000);
  // As the pipeline (motion) or recordNow (manual: no post-roll, as long as asked) would have cut it.
  const clipOpts = {
    preRollSeconds: rec.preRollSeconds,
    postRollSeconds: manual ? 0 : rec.postRollSeconds,
    maxSeconds: manual ? rec.preRollSeconds + (endedAt - ev.startedAt) / 1000 : rec.maxSeconds,
  };
  const window = recoveryWindow(ev.startedAt, endedAt, clipOpts);
  const candidates = filesToProbe(left, window.startMs, window.endMs, 2 * rec.segmentSeconds * 1000 + 1000);
  for (const f of candidates) {
    try {
      f.durationMs ??= (await probe(f.path, probeOpts(o))).durationMs;
    } catch {
      f.durationMs = 0; // unreadable (cut at its first bytes): not usable
    }
  }
  const segments = segmentsFromFiles(candidates);
  const wantClip = (rec.enabled || manual) && segments.length > 0;
  const plan = wantClip ? planClip(segments, { startMs: ev.startedAt, endMs: endedAt }, clipOpts) : undefined;
  const files = {
    clipsDir: clipsDir(o.stateDir),
    cameraId: ev.cameraId,
    eventId: ev.id,
    startedAt: ev.startedAt,
  };
  const clips = plan
    ? await writeEventClips(
        { ...files, ...toolOpts(o) },
        plan,
        segments,
        typeof ev.metadata.peakMs === "number" ? ev.metadata.peakMs : ev.startedAt,
        o.log,
      )
    : {
        recordings: [],
        thumbnail: null,
        errors: rec.enabled || manual ? ["no video of the event was left in the ring"] : [],
      };
  const metadata = { ...ev.metadata, interrupted: true, endReason: "interrupted" };
  if (clips.errors.length) metadata["clipError"] = clips.errors.join("; ").slice(0, 1000);
  const done = await o.events.finish(
    ev,
    { endedAt, score: ev.score, metadata, thumbnail: clips.thumbnail },
    clips.recordings,
  );
  return { eventId: ev.id, cameraId: ev.cameraId, endedAt, clips: done.recordings.length };
}

/** The ring's segment files with their mtimes (durations are probed only when needed). */
async function leftSegments(dir: string): Promise<LeftSegment[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: LeftSegment[] = [];
  for (const name of names) {
    if (segmentNumber(name) === undefined) continue;
    try {
      const s = await stat(join(dir, name));
      if (s.size > 0) out.push({ path: join(dir, name), mtimeMs: s.mtimeMs });
    } catch {
      // deleted meanwhile
    }
  }
  return out;
}

async function removeTempFiles(dir: string, log: Pick<Logger, "warn">): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return 0;
  }
  const temp = entries.filter((p) => isTempClipFile(p));
  for (const p of temp) await rm(join(dir, p), { force: true });
  if (temp.length) log.warn({ count: temp.length }, "removed temporary files of interrupted clip writes");
  return temp.length;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function probeOpts(o: RecoveryOptions) {
  return { ...(o.ffprobePath && { ffprobePath: o.ffprobePath }), timeoutMs: 10_000 };
}

function toolOpts(o: RecoveryOptions) {
  return {
    ...(o.ffmpegPath && { ffmpegPath: o.ffmpegPath }),
    ...(o.ffprobePath && { ffprobePath: o.ffprobePath }),
  };
}
