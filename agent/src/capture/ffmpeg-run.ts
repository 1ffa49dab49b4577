import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { Logger } from "@homecam/shared/node";
import type { Clock } from "./clock.js";
import { type FfmpegPlan, SEGMENT_LIST_FD } from "./ffmpeg-args.js";
import { RawvideoSizeProbe, StderrTail } from "./ffmpeg-stderr.js";
import { type AnalysisFrame, FrameReader } from "./frame-reader.js";
import { stopChild } from "./process-stop.js";
import type { Segment } from "./segment.js";
import { parseSegmentListLine, SegmentTimeline } from "./segment-list.js";

export interface FfmpegRunOptions {
  plan: FfmpegPlan;
  ringDir: string;
  clock: Clock;
  log: Pick<Logger, "warn" | "debug">;
  env?: NodeJS.ProcessEnv;
  onFrame(frame: AnalysisFrame): void;
  onSegment(segment: Segment): void;
}

/** How a run ended. `error` is set when a process could not be spawned at all. */
export interface RunExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/**
 * One ffmpeg process (and the picam producer feeding it): wires stdout to the frame reader, the
 * segment-list pipe to the timeline, stderr to a masked tail. Restarting is the supervisor's job.
 */
export class FfmpegRun {
  /** ffmpeg's last stderr lines, masked. */
  readonly stderr = new StderrTail();
  /** The producer's (rpicam-vid) last stderr lines, masked. */
  readonly producerStderr = new StderrTail(20);
  /** Resolves once ffmpeg has exited and its pipes are drained (so the last segment line is in). */
  readonly exited: Promise<RunExit>;
  readonly #ffmpeg: ChildProcess;
  readonly #producer: ChildProcess | undefined;
  readonly #producerExited: Promise<unknown> | undefined;
  readonly #opts: FfmpegRunOptions;
  #stopping: Promise<void> | undefined;

  constructor(opts: FfmpegRunOptions) {
    this.#opts = opts;
    const { plan } = opts;
    const env = opts.env ?? process.env;
    if (plan.producer) {
      this.#producer = spawn(plan.producer.file, plan.producer.args, {
        stdio: ["ignore", "pipe", "pipe"],
        env,
      });
      this.#producerExited = waitClose(this.#producer);
      this.#tailStderr(this.#producer.stderr, this.producerStderr);
    }
    const fds = Math.max(SEGMENT_LIST_FD, ...plan.pipes.map((p) => p.fd));
    const stdio: Array<"pipe" | Readable> = Array.from({ length: fds + 1 }, () => "pipe");
    if (this.#producer?.stdout) stdio[0] = this.#producer.stdout;
    this.#ffmpeg = spawn(plan.file, plan.args, { stdio, env });
    // ffmpeg holds its own copy of the producer's pipe; ours would only keep it open after ffmpeg dies.
    this.#producer?.stdout?.destroy();
    this.exited = waitClose(this.#ffmpeg);
    this.#wire();
  }

  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  get producerPid(): number | undefined {
    return this.#producer?.pid;
  }

  /** Stop gracefully (`q` or producer first, SIGTERM after 2 s, SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const clock = this.#opts.clock;
    if (this.#producer && this.#producerExited) {
      await stopChild(this.#producer, this.#producerExited, { quit: false, termAfterMs: 0, clock });
    }
    const how = await stopChild(this.#ffmpeg, this.exited, { quit: !this.#producer, clock });
    if (how !== "exited") this.#opts.log.debug({ how }, "ffmpeg did not stop by itself");
  }

  #wire(): void {
    const { plan, clock } = this.#opts;
    const reader = new FrameReader(this.#opts.onFrame);
    const known = plan.analysis?.height;
    if (plan.analysis && known !== undefined) reader.setSize(plan.analysis.width, known);
    const probe = new RawvideoSizeProbe();
    this.#tailStderr(this.#ffmpeg.stderr, this.stderr, (line) => {
      const size = probe.feed(line);
      if (!size) return;
      if (reader.size && (reader.size.width !== size.width || reader.size.height !== size.height)) {
        this.#opts.log.warn({ expected: reader.size, actual: size }, "analysis frame size differs from plan");
        return;
      }
      reader.setSize(size.width, size.height);
    });
    this.#ffmpeg.stdout?.on("data", (chunk: Buffer) => reader.push(chunk, clock.now()));

    const timeline = new SegmentTimeline(this.#opts.ringDir);
    let partial = "";
    this.#ffmpeg.stdio[SEGMENT_LIST_FD]?.on("data", (chunk: Buffer) => {
      const at = clock.now();
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const entry = parseSegmentListLine(line);
        if (entry) this.#opts.onSegment(timeline.add(entry, at));
        else if (line.trim()) this.#opts.log.warn({ line }, "unexpected segment list line");
      }
    });
    // Pipes of a dying process may error (EPIPE/ECONNRESET); `exited` reports the outcome.
    for (const s of this.#ffmpeg.stdio) s?.on("error", () => {});
  }

  /** Both tails, producer first: what a failure reason is derived from. */
  stderrLines(): string[] {
    return [...this.producerStderr.lines().map((l) => `producer: ${l}`), ...this.stderr.lines()];
  }

  #tailStderr(stream: Readable | null, tail: StderrTail, onLine?: (line: string) => void): void {
    stream?.setEncoding("utf8");
    stream?.on("data", (text: string) => {
      for (const line of tail.push(text)) onLine?.(line);
    });
  }
}

function waitClose(child: ChildProcess): Promise<RunExit> {
  return new Promise((resolve) => {
    // A spawn failure (ENOENT) reports `error` and may never report `close`.
    child.once("error", (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, error });
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}
