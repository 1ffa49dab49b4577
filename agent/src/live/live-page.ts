import { escapeHtml, HOMECAM_LIVE_SCRIPT, htmlPage } from "@homecam/shared";
import { Router } from "express";

// `GET /live?camera=<id>` and `GET /live/homecam-live.js`: static, so served without a token (the
// stream itself never is). The page holds no secret; the element takes the LAN token from
// sessionStorage or the URL fragment, which browsers never send to a server.

const CAMERA_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function renderLivePage(cameraId: string | undefined): string {
  const element = cameraId
    ? `<homecam-live camera="${escapeHtml(cameraId)}"></homecam-live>`
    : "<p>Which camera? Open <code>/live?camera=&lt;id&gt;</code>.</p>";
  return htmlPage({
    title: "Live",
    head: ['<script src="/live/homecam-live.js" defer></script>'],
    main: [element],
  });
}

/** The live page and its element script; mount in front of the auth gate. */
export function livePageRoutes(): Router {
  return Router()
    .get("/live/homecam-live.js", (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.type("text/javascript").send(HOMECAM_LIVE_SCRIPT);
    })
    .get("/live", (req, res) => {
      const camera = typeof req.query["camera"] === "string" ? req.query["camera"] : undefined;
      res.setHeader("Cache-Control", "no-store");
      res.type("html").send(renderLivePage(camera && CAMERA_ID.test(camera) ? camera : undefined));
    });
}
