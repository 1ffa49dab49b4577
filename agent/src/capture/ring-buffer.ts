import * as nodeFs from "node:fs/promises";
import { basename, join } from "node:path";
import type { RecordingSettings } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import type { Segment } from "./segment.js";
import { segmentNumber } from "./segment-files.js";

/** The file operations the ring uses; injected so the policy can be tested without a disk. */
export interface RingFs {
  mkdir(dir: string, opts: { recursive: true }): Promise<unknown>;
  readdir(dir: string): Promise<string[]>;
  unlink(path: string): Promise<void>;
}

export interface SegmentRingOptions {
  /** The ring's own directory: every `seg-*.ts` in it belongs to the ring. */
  dir: string;
  /** Segments that ended longer ago than this are deleted (see {@link ringKeepMs}). */
  keepMs: number;
  /** Hard cap on kept segments, so a wall clock set backwards cannot fill the disk (default from keepMs). */
  maxSegments?: number;
  segmentSeconds?: number;
  clock?: Clock;
  fs?: RingFs;
  log?: Pick<Logger, "warn" | "debug">;
}

interface Waiter {
  toMs: number;
  resolve: (s: Segment | undefined) => void;
  timer?: TimerHandle;
}

/** Keeps segments needed by a clip being assembled from `fromMs` on; `release()` when done. */
export interface RingHold {
  readonly fromMs: number;
  release(): void;
}

/** How long the ring keeps segments: a whole clip (pre-roll + longest + post-roll) plus a margin. */
export function ringKeepMs(
  rec: Pick<RecordingSettings, "preRollSeconds" | "postRollSeconds" | "maxSeconds" | "segmentSeconds">,
): number {
  // Margin: two segments (a clip starts inside one) and 10 s for the clip assembly itself.
  return (rec.preRollSeconds + rec.maxSeconds + rec.postRollSeconds + 2 * rec.segmentSeconds + 10) * 1000;
}

/**
 * Which segments to delete now, oldest first: ended before `nowMs − keepMs`, or beyond `maxSegments`;
 * never one a hold still needs (ending after the earliest held time). Pure.
 */
export function selectExpired(
  segments: readonly Segment[],
  nowMs: number,
  keepMs: number,
  maxSegments: number,
  holdFromMs: number | undefined,
): Segment[] {
  const overCount = Math.max(0, segments.length - maxSegments);
  return segments.filter(
    (s, i) =>
      (i < overCount || s.endMs < nowMs - keepMs) && (holdFromMs === undefined || s.endMs <= holdFromMs),
  );
}

/**
 * The on-disk ring of one camera: tracks the segments ffmpeg has closed, answers which cover a time
 * range, and deletes old ones itself (ffmpeg's `-segment_wrap` would overwrite files a clip may be
 * reading).
 */
export class SegmentRing {
  readonly dir: string;
  readonly #keepMs: number;
  readonly #max: number;
  readonly #clock: Clock;
  readonly #fs: RingFs;
  readonly #log: SegmentRingOptions["log"];
  readonly #segments: Segment[] = [];
  readonly #holds = new Set<RingHold>();
  readonly #waiters = new Set<Waiter>();
  #nextNumber = 0;
  #pruning: Promise<void> = Promise.resolve();

  constructor(opts: SegmentRingOptions) {
    this.dir = opts.dir;
    this.#keepMs = opts.keepMs;
    this.#max = opts.maxSegments ?? Math.ceil(opts.keepMs / ((opts.segmentSeconds ?? 1) * 1000)) * 2 + 4;
    this.#clock = opts.clock ?? systemClock;
    this.#fs = opts.fs ?? nodeFs;
    this.#log = opts.log;
  }

  /** Create the directory and delete segments left by an earlier run (their times are unknown). */
  async init(): Promise<void> {
    await this.#fs.mkdir(this.dir, { recursive: true });
    const stale = (await this.#fs.readdir(this.dir)).filter((n) => segmentNumber(n) !== undefined);
    await Promise.all(stale.map((n) => this.#unlink(join(this.dir, n))));
    if (stale.length) this.#log?.debug({ count: stale.length }, "deleted stale ring segments");
  }

  /**
   * Before each ffmpeg start: delete files the previous run left unlisted (it died mid-segment) and
   * return the number the new run starts at, after every number ever used here.
   */
  async prepareRun(): Promise<number> {
    const tracked = new Set(this.#segments.map((s) => s.path));
    for (const name of await this.#fs.readdir(this.dir)) {
      const n = segmentNumber(name);
      if (n === undefined) continue;
      this.#nextNumber = Math.max(this.#nextNumber, n + 1);
      if (!tracked.has(join(this.dir, name))) await this.#unlink(join(this.dir, name));
    }
    return this.#nextNumber;
  }

  /** Record a closed segment (in time order), wake waiters, delete what expired. */
  add(segment: Segment): void {
    this.#segments.push(segment);
    const n = segmentNumber(basename(segment.path));
    if (n !== undefined) this.#nextNumber = Math.max(this.#nextNumber, n + 1);
    for (const w of this.#waiters) {
      if (segment.endMs >= w.toMs) this.#settle(w, segment);
    }
    void this.prune();
  }

  segments(): readonly Segment[] {
    return this.#segments;
  }

  latest(): Segment | undefined {
    return this.#segments.at(-1);
  }

  /** Segments overlapping [fromMs, toMs] in time order (for a single instant, the one containing it). */
  covering(fromMs: number, toMs: number): Segment[] {
    const to = Math.max(toMs, fromMs + 1);
    return this.#segments.filter((s) => s.endMs > fromMs && s.startMs < to);
  }

  /** Resolve with the first segment ending at or after `toMs` (post-roll), or undefined on timeout/close. */
  waitFor(toMs: number, timeoutMs: number): Promise<Segment | undefined> {
    const found = this.#segments.find((s) => s.endMs >= toMs);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter: Waiter = { toMs, resolve };
      waiter.timer = this.#clock.setTimeout(() => this.#settle(waiter, undefined), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Protect segments ending after `fromMs` from deletion until released. */
  hold(fromMs: number): RingHold {
    const hold: RingHold = {
      fromMs,
      release: () => {
        if (this.#holds.delete(hold)) void this.prune();
      },
    };
    this.#holds.add(hold);
    return hold;
  }

  /** Delete expired segments now; calls are serialised. */
  prune(): Promise<void> {
    this.#pruning = this.#pruning.then(() => this.#pruneNow());
    return this.#pruning;
  }

  /** Wake every waiter with undefined; the files stay (the next `init` cleans them). */
  close(): void {
    for (const w of this.#waiters) this.#settle(w, undefined);
  }

  async #pruneNow(): Promise<void> {
    const holdFrom = this.#holds.size ? Math.min(...[...this.#holds].map((h) => h.fromMs)) : undefined;
    const expired = selectExpired(this.#segments, this.#clock.now(), this.#keepMs, this.#max, holdFrom);
    if (!expired.length) return;
    const gone = new Set(expired);
    // Forget first: a clip asking meanwhile must not be handed a file that is being deleted.
    this.#segments.splice(0, this.#segments.length, ...this.#segments.filter((s) => !gone.has(s)));
    await Promise.all(expired.map((s) => this.#unlink(s.path)));
  }

  #settle(w: Waiter, s: Segment | undefined): void {
    if (w.timer !== undefined) this.#clock.clearTimeout(w.timer);
    this.#waiters.delete(w);
    w.resolve(s);
  }

  async #unlink(path: string): Promise<void> {
    try {
      await this.#fs.unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        this.#log?.warn({ err, path }, "cannot delete segment");
    }
  }
}
