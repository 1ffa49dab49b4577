import { HOMECAM_LIVE_SCRIPT, htmlPage } from "@homecam/shared";
import { Router } from "express";
import type { ApiModule } from "../http/create-app.js";

// `GET /live?camera=<id>` and `GET /live/homecam-live.js`: the minimal live page (issue 8 §6),
// public and static. The page holds no secret: the `<homecam-live>` element reads the access token
// from the URL fragment (`#token=…`, never sent to a server) or sessionStorage, and calls WHEP on
// this origin (`/api/cameras/:id/whep`), which relays the offer to the camera's device.

export const LIVE_SCRIPT_PATH = "/live/homecam-live.js";

/**
 * The page's policy: this origin's script and fetch only, video from MediaSource (`blob:`), no
 * inline script or style, no framing. Trusted Types with no policy keep the element from ever
 * parsing HTML out of data.
 */
export const LIVE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self' blob:; img-src 'self' data: blob:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

const CAMERA_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The page for `cameraId` (already checked against CAMERA_ID, so it needs no escaping). */
export function renderLivePage(cameraId: string | undefined): string {
  const element = cameraId
    ? // The cloud relays signalling only: ICE servers (with TURN credentials) from the cloud, and no
      // fMP4 fallback (that would carry the video through the cloud).
      `<homecam-live camera="${cameraId}" ice-servers="/api/rtc/ice-servers" fallback="none"></homecam-live>`
    : "<p>Which camera? Open <code>/live?camera=&lt;id&gt;</code>.</p>";
  return htmlPage({
    title: "Live",
    head: [`<script src="${LIVE_SCRIPT_PATH}" defer></script>`],
    main: [element],
  });
}

/** Plain routes (HTML and JS, not the registry's JSON envelope), public like the pairing page. */
export function livePageRoutes(): ApiModule {
  return (_registry, router) => {
    const r = Router();
    r.get(LIVE_SCRIPT_PATH, (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.type("text/javascript; charset=utf-8").send(HOMECAM_LIVE_SCRIPT);
    });
    r.get("/live", (req, res) => {
      const camera = typeof req.query["camera"] === "string" ? req.query["camera"] : undefined;
      res.setHeader("Content-Security-Policy", LIVE_CSP);
      res.type("html").send(renderLivePage(camera && CAMERA_ID.test(camera) ? camera : undefined));
    });
    router.use(r);
  };
}
