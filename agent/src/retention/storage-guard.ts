import { statfs as fsStatfs, rm } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "../module.js";
import type { ClipIndex, ClipInfo } from "./clip-index.js";
import { MB, planRetention, type RetentionDeletion, type RetentionSettings } from "./policy.js";

/** The subset of `fs.promises.statfs`'s result used here (`bavail`: blocks free to unprivileged users). */
export interface FsSpace {
  bavail: number;
  bsize: number;
}

/** Timer functions, injected so tests drive the loop without waiting. */
export interface GuardTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type StorageState = "ok" | "disk-full";

export interface StorageStatus {
  state: StorageState;
  freeBytes: number;
  /** Why the disk is full; absent when ok. */
  detail?: string;
}

export interface SweepResult {
  deleted: RetentionDeletion[];
  /** Deletions that lost the only copy (not uploaded): each one is a warning event for the user. */
  notUploaded: RetentionDeletion[];
  failed: Array<{ id: string; error: string }>;
  status: StorageStatus;
}

export interface StorageGuardOptions {
  index: ClipIndex;
  /** A path on the file system to watch (the state directory). */
  dir: string;
  /** Clip and thumbnail files are deleted only inside this directory: never ring segments or the database. */
  clipsDir: string;
  /** Read on every sweep, so a settings change applies without a restart. */
  settings: () => RetentionSettings;
  log: Pick<Logger, "info" | "warn" | "error">;
  statfs?: (path: string) => Promise<FsSpace>;
  now?: () => number;
  timers?: GuardTimers;
  /** How often free space is measured (cheap: one statfs); default 10 s. */
  checkIntervalMs?: number;
  /** How often the full policy runs even with free space to spare (age, budget); default 10 min. */
  sweepIntervalMs?: number;
  /** Called when the state changes (ok ⇄ disk-full), e.g. to report camera status. */
  onStatus?: (status: StorageStatus) => void;
}

/**
 * Applies the retention policy to the clips on disk, periodically and, when free space drops
 * below `minFreeMB`, at once (the emergency path that keeps the agent recording). Deletes a clip's
 * files first and only then removes it from the index, so a crash in between leaves a row whose
 * files are gone — found and removed on the next sweep — never a file nobody knows about.
 */
export class StorageGuard implements AgentModule {
  readonly name = "storage-guard";
  readonly #o: Required<Omit<StorageGuardOptions, "onStatus">> & Pick<StorageGuardOptions, "onStatus">;
  readonly #clipsDir: string;
  #timer: unknown;
  #running = false;
  #lastSweepAt = Number.NEGATIVE_INFINITY;
  #sweeping: Promise<SweepResult> | undefined;
  #status: StorageStatus = { state: "ok", freeBytes: 0 };

  constructor(opts: StorageGuardOptions) {
    this.#o = {
      statfs: fsStatfs,
      now: Date.now,
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      checkIntervalMs: 10_000,
      sweepIntervalMs: 10 * 60_000,
      ...opts,
    };
    this.#clipsDir = resolve(opts.clipsDir);
  }

  /**
   * Start the loop; the first check runs at once (a full disk at boot is handled before capture
   * fills it). Returns immediately: `stop()`, not the signal, ends the loop, as for every module.
   */
  async start(_signal?: AbortSignal): Promise<void> {
    this.#running = true;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }

  status(): StorageStatus {
    return this.#status;
  }

  /** Run the policy now (also after writing a clip); concurrent calls share one sweep. */
  sweep(): Promise<SweepResult> {
    this.#sweeping ??= this.#sweepOnce().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  /** One tick: measure, and sweep when space is short or the periodic sweep is due. */
  async check(): Promise<void> {
    const { minFreeMB } = this.#o.settings();
    const free = await this.#freeBytes();
    const due = this.#o.now() - this.#lastSweepAt >= this.#o.sweepIntervalMs;
    if (due || free < minFreeMB * MB) await this.sweep();
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = this.#o.timers.setTimeout(() => {
      // Supervisor-loop boundary: a failed check is logged and retried on the next tick.
      this.check()
        .catch((err: unknown) => this.#o.log.error({ err }, "storage check failed"))
        .finally(() => this.#schedule(this.#o.checkIntervalMs));
    }, ms);
  }

  async #sweepOnce(): Promise<SweepResult> {
    this.#lastSweepAt = this.#o.now();
    const settings = this.#o.settings();
    const result: SweepResult = { deleted: [], notUploaded: [], failed: [], status: this.#status };
    const attempted = new Set<string>();
    let free = await this.#freeBytes();
    // Re-plan with the measured free space after each round: the disk may free less than the
    // index's sizes say (a file still open by the uploader). Each round tries at least one clip
    // not tried before, so the loop ends.
    for (;;) {
      const clips = (await this.#o.index.list()).filter((c) => !attempted.has(c.id));
      const plan = planRetention({ clips, settings, now: this.#o.now(), disk: { freeBytes: free } });
      if (plan.deletions.length === 0) break;
      const byId = new Map(clips.map((c) => [c.id, c]));
      for (const d of plan.deletions) {
        attempted.add(d.id);
        const error = await this.#delete(byId.get(d.id)!, d);
        if (error) {
          result.failed.push({ id: d.id, error });
          continue;
        }
        result.deleted.push(d);
        if (!d.uploaded) result.notUploaded.push(d);
      }
      free = await this.#freeBytes();
      if (free >= settings.minFreeMB * MB) break;
    }
    result.status = this.#setStatus(free, settings.minFreeMB * MB);
    return result;
  }

  /** Delete a clip's files then its index entry; returns an error text instead of throwing. */
  async #delete(clip: ClipInfo, d: RetentionDeletion): Promise<string | undefined> {
    const files = [clip.path, clip.thumbnailPath].filter(
      (p): p is string => typeof p === "string" && p !== "",
    );
    const outside = files.find((p) => !this.#isInsideClipsDir(p));
    if (outside) {
      this.#o.log.error({ id: d.id, path: outside }, "refusing to delete a file outside the clips directory");
      return `path outside clips directory: ${outside}`;
    }
    try {
      for (const p of files) await rm(p, { force: true }); // already gone is fine
      await this.#o.index.remove(d.id, d.reason, d.uploaded);
    } catch (err) {
      this.#o.log.error({ err, id: d.id }, "clip deletion failed");
      return err instanceof Error ? err.message : String(err);
    }
    const fields = { id: d.id, camera: d.cameraId, reason: d.reason, uploaded: d.uploaded, pinned: d.pinned };
    if (d.uploaded) this.#o.log.info({ ...fields, bytes: d.sizeBytes }, "clip deleted");
    else this.#o.log.warn({ ...fields, bytes: d.sizeBytes }, "clip deleted before it was uploaded");
    return undefined;
  }

  #isInsideClipsDir(path: string): boolean {
    const rel = relative(this.#clipsDir, resolve(path));
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  }

  async #freeBytes(): Promise<number> {
    const s = await this.#o.statfs(this.#o.dir);
    return Number(s.bavail) * Number(s.bsize);
  }

  #setStatus(freeBytes: number, minFree: number): StorageStatus {
    const previous = this.#status.state;
    this.#status =
      freeBytes >= minFree
        ? { state: "ok", freeBytes }
        : {
            state: "disk-full",
            freeBytes,
            detail: `${Math.floor(freeBytes / MB)} MB free, below storage.minFreeMB ${minFree / MB}, and nothing more can be deleted`,
          };
    if (this.#status.state !== previous) {
      if (this.#status.state === "disk-full") this.#o.log.error({ freeBytes }, this.#status.detail!);
      else this.#o.log.info({ freeBytes }, "free space recovered");
      this.#o.onStatus?.(this.#status);
    }
    return this.#status;
  }
}
