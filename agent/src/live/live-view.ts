import type { Logger } from "@homecam/shared/node";
import { Router } from "express";
import type { CameraManager } from "../camera/camera-manager.js";
import type { TokenVerifier } from "../http/auth-gate.js";
import { CaptureTaps } from "./capture-tap.js";
import { LiveHub } from "./live-hub.js";
import { livePageRoutes } from "./live-page.js";
import { liveUpgradeHandler } from "./live-socket.js";
import { ffmpegLiveSources } from "./live-source.js";
import { ffmpegRtpSources } from "./rtp-source.js";
import { tappedLiveSources, tappedRtpSources } from "./tap-sources.js";
import { WhepHub } from "./whep-hub.js";
import { whepCorsRoutes, whepRoutes } from "./whep-routes.js";

// Live view on the agent, assembled: WebRTC (WHEP) and the fMP4 WebSocket fallback. Each camera's
// video comes from its capture's tap when it has one (USB, Pi camera, RTSP/ONVIF, browser), else
// from one extra ffmpeg started by the first viewer (synthetic camera, MJPEG) — never one per viewer.

export interface LiveViewOptions {
  cameras: Pick<CameraManager, "liveSource" | "pipelines">;
  log: Logger;
}

export function createLiveView(opts: LiveViewOptions) {
  const { cameras, log } = opts;
  // Runtime state, not the file: cameras added remotely count, privacy mode refuses.
  const cameraSource = (id: string) => cameras.liveSource(id);
  const allowed = (id: string) => cameraSource(id) !== undefined;
  const taps = new CaptureTaps(
    (id) => (allowed(id) ? cameras.pipelines.get(id)?.capture.tapPort : undefined),
    log,
  );
  const liveHub = new LiveHub({
    sources: tappedLiveSources(taps, ffmpegLiveSources({ cameraSource, log }), { log }),
    allowed,
    log,
  });
  const whepHub = new WhepHub({
    sources: tappedRtpSources(taps, ffmpegRtpSources({ cameraSource, log })),
    allowed,
    log,
  });
  return {
    liveHub,
    whepHub,
    /** The live page, its script and the WHEP preflight: no token (mount in front of the gate). */
    publicRoutes: Router().use(livePageRoutes(), whepCorsRoutes()),
    /** WHEP sessions: behind the token gate. */
    routes: whepRoutes({ hub: whepHub }),
    /** The fMP4 WebSocket's upgrade handler. */
    upgrade: (verifyToken: TokenVerifier) => liveUpgradeHandler({ hub: liveHub, verifyToken, log }),
    /** Cut whatever `userId` is watching (their access was revoked); how many views ended. */
    endUser: (userId: string) => liveHub.endUser(userId) + whepHub.endUser(userId),
    modules: [liveHub, whepHub],
  };
}
