import type { CameraSource } from "@homecam/shared";
import { CaptureError } from "./capture-error.js";
import {
  buildCaptureCommand,
  type CaptureSettings,
  type FfmpegPlan,
  type OutputSpec,
} from "./ffmpeg-args.js";
import { hasLiveTap } from "./rtp-tap.js";
import type { BrowserInput, SourceContext } from "./source-input.js";
import { freeUdpPort } from "./udp-ports.js";

// Before each ffmpeg run of a capture: resolve what the source needs (an ONVIF camera's stream URL,
// a browser camera's publisher), pick the live tap's port, and build the command. Separate from the
// supervisor, which decides what a failure here means for the camera's status and restarts.

/** Resolves an ONVIF camera's stream URL (`resolveOnvifSource` in `sources/onvif.ts`). */
export type OnvifResolver = (
  source: Extract<CameraSource, { type: "onvif" }>,
) => Promise<{ streamUrl: string; snapshotUrl?: string }>;

/**
 * Waits for a `browser` camera's publisher and answers where its RTP arrives (the WHIP ingest's
 * `consume`); calls `waiting` with the reason while there is none; rejects when `signal` aborts.
 */
export type BrowserResolver = (
  cameraId: string,
  opts: { signal: AbortSignal; waiting(reason: string): void },
) => Promise<BrowserInput>;

export interface PrepareOptions {
  camera: CaptureSettings & { id: string };
  ringDir: string;
  picamTool?: SourceContext["picamTool"];
  resolveOnvif?: OnvifResolver;
  resolveBrowser?: BrowserResolver;
  ffmpegPath?: string;
  extraOutputs?: readonly OutputSpec[];
  /** Aborted when the capture stops (a browser camera may be waiting for its publisher). */
  signal: AbortSignal;
  /** Told why the capture is waiting (no publisher yet). */
  waiting(reason: string): void;
  /** The first segment number of this run (the ring's `prepareRun`). */
  startNumber(): Promise<number>;
}

export type Prepared =
  | { plan: FfmpegPlan; tapPort: number | undefined }
  | { failure: string; error?: CaptureError }
  /** Stopped while waiting for a browser's publisher. */
  | { stopped: true };

export async function prepareCapture(o: PrepareOptions): Promise<Prepared> {
  const ctx: SourceContext = { ...(o.picamTool && { picamTool: o.picamTool }) };
  const source = o.camera.source;
  if (source.type === "onvif") {
    if (!o.resolveOnvif) {
      const msg = "no ONVIF resolver is configured for this camera";
      return { failure: msg, error: new CaptureError("HC_ERR_CAPTURE_ONVIF_UNRESOLVED", msg, true) };
    }
    try {
      ctx.onvif = await o.resolveOnvif(source);
    } catch (err) {
      return { failure: `cannot get the stream URL from the ONVIF camera: ${(err as Error).message}` };
    }
  }
  if (source.type === "browser" && o.resolveBrowser) {
    const resolved = o.resolveBrowser(o.camera.id, { signal: o.signal, waiting: o.waiting });
    ctx.browser = await resolved.catch(() => undefined);
    if (!ctx.browser) return { stopped: true };
  }
  // Cameras that cannot be opened twice (and RTSP ones, spared a second session) feed live view
  // from this process: a fresh loopback port per run (capture/rtp-tap.ts).
  const tapPort = hasLiveTap(source) ? await freeUdpPort() : undefined;
  const built = buildCaptureCommand(o.camera, {
    ...ctx,
    ringDir: o.ringDir,
    startNumber: await o.startNumber(),
    ...(o.ffmpegPath && { ffmpegPath: o.ffmpegPath }),
    extraOutputs: [...(o.extraOutputs ?? []), ...(tapPort ? [{ kind: "tap" as const, port: tapPort }] : [])],
  });
  if (!built.ok) return { failure: built.error.message, error: built.error };
  return { plan: built.plan, tapPort };
}
