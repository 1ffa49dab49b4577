import { join } from "node:path";
import type { Segment } from "./segment.js";

/** One line of ffmpeg's csv segment list: file name, start and end in stream seconds. */
export interface SegmentListEntry {
  file: string;
  start: number;
  end: number;
}

/** Parse one csv line (`seg-000000007.ts,4.000000,6.000000`); undefined when it is not an entry. */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  // The csv writer quotes a name only when it contains `,` or `"` (doubling quotes), RFC 4180 style.
  const m = /^(?:"((?:[^"]|"")*)"|([^,"]*)),(-?[\d.]+(?:e[-+]?\d+)?),(-?[\d.]+(?:e[-+]?\d+)?)\s*$/i.exec(
    line,
  );
  if (!m) return undefined;
  const file = m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? "");
  const start = Number(m[3]);
  const end = Number(m[4]);
  if (file === "" || !Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  return { file, start, end };
}

export interface SegmentTimelineOptions {
  /** How many recent entries the offset estimate looks at (default 16, ~30 s of 2 s segments). */
  window?: number;
  /** A segment starting this close to the previous one's end is joined to it (default 250 ms). */
  snapMs?: number;
  /** Stream time jumping forward by more than this, or back by more than 1 s, restarts the estimate (default 5 s). */
  jumpSeconds?: number;
}

/**
 * Maps segment-list entries (stream time) to wall-clock time, for one ffmpeg run.
 *
 * Anchor: ffmpeg closes a segment and writes its list line the moment the first packet of the next
 * segment reaches the muxer, i.e. when the packet with pts = `end` arrives from a live source. So
 * `arrival − end` is the stream→wall offset plus a latency that is never negative; the smallest value
 * over recent entries is the best estimate (a sliding window rather than all-time, so a camera clock
 * that drifts against ours is followed). Analysis frames carry their arrival time too, so both share the
 * same capture latency: what motion sees at time T is in the segment covering T. Timestamps inside
 * the files are left alone (no `-use_wallclock_as_timestamps`), so network jitter never reaches the
 * recording. A segment that starts where the last one ended is joined to it, keeping the ring
 * contiguous despite small estimate changes and sources that give packets no duration. A jump in
 * stream time starts the estimate afresh.
 */
export class SegmentTimeline {
  readonly #dir: string;
  readonly #window: number;
  readonly #snapMs: number;
  readonly #jump: number;
  #offsets: number[] = [];
  #last: Segment | undefined;
  #lastEnd: number | undefined;

  constructor(dir: string, opts: SegmentTimelineOptions = {}) {
    this.#dir = dir;
    this.#window = opts.window ?? 16;
    this.#snapMs = opts.snapMs ?? 250;
    this.#jump = opts.jumpSeconds ?? 5;
  }

  /** The wall-clock segment for an entry that arrived at `arrivalMs` (epoch ms). */
  add(entry: SegmentListEntry, arrivalMs: number): Segment {
    // Timestamps reset or wrapped (camera reboot, RTP wrap): older offsets describe another timeline,
    // and after a backward jump their minimum would map new segments into the past.
    const gap = this.#lastEnd === undefined ? 0 : entry.start - this.#lastEnd;
    if (gap < -1 || gap > this.#jump) this.#offsets = [];
    this.#lastEnd = entry.end;
    this.#offsets.push(arrivalMs - entry.end * 1000);
    if (this.#offsets.length > this.#window) this.#offsets.shift();
    const offset = Math.min(...this.#offsets);

    let startMs = Math.round(entry.start * 1000 + offset);
    const endMs = Math.round(entry.end * 1000 + offset);
    const last = this.#last;
    if (last && Math.abs(startMs - last.endMs) <= this.#snapMs && last.endMs < endMs) startMs = last.endMs;
    const segment = { path: join(this.#dir, entry.file), startMs, endMs: Math.max(endMs, startMs + 1) };
    this.#last = segment;
    return segment;
  }
}
