import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { CameraSource } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { CaptureError } from "../capture/capture-error.js";
import { stopChild } from "../capture/process-stop.js";
import { liveVideoArgs } from "./live-video-args.js";
import { avcCodecOf, isKeyFragment, Mp4BoxSplitter } from "./mp4-boxes.js";

// A live reader of its own, started by the first viewer, for sources that can be read twice at no
// cost to the camera: the synthetic `test` camera (a lavfi graph two ffmpegs cannot share: the live
// reader runs its own copy of the same deterministic scene, encoded like the capture does) and MJPEG
// streams. Devices one process holds (USB, the Pi camera's pipe, a browser's WHIP stream) and RTSP
// cameras are viewed from their capture's tap instead (capture/rtp-tap.ts, live/tap-sources.ts).

/** What a running live source delivers. */
export interface LiveSink {
  /** The init segment (ftyp+moov) and its MediaSource type, once, before any fragment. */
  init(bytes: Buffer, mimeType: string): void;
  /** One moof+mdat pair; `key` when it starts with a key frame (a viewer may join there). */
  fragment(bytes: Buffer, key: boolean): void;
  /** The source ended on its own (camera gone, ffmpeg failed). Not called after `stop()`. */
  ended(reason: string): void;
}

/** A running live source; `stop()` resolves once its process is gone. */
export interface LiveStream {
  stop(): Promise<void>;
  /** The process id, when the source is a process of its own. */
  readonly pid?: number | undefined;
}

/**
 * Start a live fMP4 source for a camera: null for an unknown camera, a CaptureError when this
 * camera's source cannot be viewed live.
 */
export type LiveSourceFactory = (cameraId: string, sink: LiveSink) => LiveStream | CaptureError | null;

/** The ffmpeg arguments of a live fMP4 view of `source`, or why there is none. */
export function liveFfmpegArgs(source: CameraSource): string[] | CaptureError {
  const video = liveVideoArgs(source, { forWebRtc: false });
  if (video instanceof CaptureError) return video;
  return [...video, ...FMP4_OUTPUT];
}

/** The fMP4 output of every live ffmpeg, on stdout. */
export const FMP4_OUTPUT: readonly string[] = [
  "-f",
  "mp4",
  // A fragment per frame: the browser gets each frame as soon as it exists (latency), and the hub
  // still knows which fragments start a GOP. No trailer: the stream never "ends" for a viewer.
  "-movflags",
  "empty_moov+default_base_moof+frag_every_frame+skip_trailer",
  "-flush_packets",
  "1",
  "pipe:1",
];

export interface FfmpegLiveSourcesOptions {
  /** The camera's source, or undefined for an unknown (or disabled) camera. */
  cameraSource: (cameraId: string) => CameraSource | undefined;
  ffmpegPath?: string;
  log: Pick<Logger, "warn" | "debug">;
}

/** A {@link LiveSourceFactory} that runs one ffmpeg per live camera. */
export function ffmpegLiveSources(opts: FfmpegLiveSourcesOptions): LiveSourceFactory {
  return (cameraId, sink) => {
    const source = opts.cameraSource(cameraId);
    if (!source) return null;
    const args = liveFfmpegArgs(source);
    if (args instanceof CaptureError) return args;
    return runLiveFfmpeg(opts.ffmpegPath ?? "ffmpeg", args, sink, opts.log);
  };
}

export function runLiveFfmpeg(
  file: string,
  args: string[],
  sink: LiveSink,
  log: FfmpegLiveSourcesOptions["log"],
): LiveStream {
  const child: ChildProcess = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
  const exited = once(child, "close").catch(() => undefined);
  const splitter = new Mp4BoxSplitter();
  let stopping = false;
  let init: Buffer[] = [];
  let sentInit = false;
  let moof: Buffer | undefined;
  let stderrTail = "";
  const end = (reason: string) => {
    if (stopping) return;
    stopping = true;
    sink.ended(reason);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    let boxes: ReturnType<Mp4BoxSplitter["push"]>;
    try {
      boxes = splitter.push(chunk);
    } catch (err) {
      end(String(err));
      child.kill("SIGKILL");
      return;
    }
    for (const box of boxes) {
      if (!sentInit && (box.type === "ftyp" || box.type === "moov")) {
        init.push(box.bytes);
        if (box.type === "moov") {
          const bytes = Buffer.concat(init);
          const codec = avcCodecOf(bytes) ?? "avc1.42e01e";
          sink.init(bytes, `video/mp4; codecs="${codec}"`);
          sentInit = true;
          init = [];
        }
      } else if (box.type === "moof") {
        moof = box.bytes;
      } else if (box.type === "mdat" && moof) {
        sink.fragment(Buffer.concat([moof, box.bytes]), isKeyFragment(moof));
        moof = undefined;
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-500);
  });
  for (const s of child.stdio) s?.on("error", () => {});
  child.on("error", (err) => end(`cannot start ffmpeg: ${err.message}`));
  void exited.then(() => {
    if (!stopping) log.warn({ code: child.exitCode, stderr: stderrTail }, "live ffmpeg ended");
    end(stderrTail.trim() || `ffmpeg exited with ${child.exitCode ?? child.signalCode}`);
  });
  log.debug({ pid: child.pid }, "live ffmpeg started");
  return {
    pid: child.pid,
    stop: async () => {
      stopping = true;
      await stopChild(child, exited, { quit: true, termAfterMs: 1_000, killAfterMs: 3_000 });
    },
  };
}
