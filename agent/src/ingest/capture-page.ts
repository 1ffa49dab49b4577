import { escapeHtml, htmlPage } from "@homecam/shared";
import { Router } from "express";
import { CAPTURE_SCRIPT } from "./capture-script.js";

// `GET /capture?camera=<id>` and its script: static and secret-free, so served without a token (the
// WHIP POST itself needs the owner's). A phone running the agent opens it at http://localhost, a
// secure context, so getUserMedia works without TLS.

const CAMERA_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const CAPTURE_SCRIPT_PATH = "/capture/homecam-capture.js";

export function renderCapturePage(cameraId: string | undefined): string {
  const title = cameraId ? `Camera ${escapeHtml(cameraId)}` : "Camera";
  return htmlPage({
    title,
    head: [`<script src="${CAPTURE_SCRIPT_PATH}" defer></script>`],
    bodyAttributes: ' data-state="starting"',
    main: [
      `<h1>${title}</h1>`,
      '<p id="status" role="status">Loading…</p>',
      '<form id="pair" hidden>',
      "<label>PIN from <code>homecam pair --local</code> ",
      '<input name="pin" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required>',
      "</label> <button>Pair</button>",
      "</form>",
      // Muted + playsinline: a local preview plays without a gesture on phones.
      '<video id="preview" muted playsinline autoplay width="320"></video>',
      "<p>Keep this page open and the screen on; the agent records what this camera sees.</p>",
    ],
  });
}

/** The capture page and its script; mount in front of the auth gate. */
export function capturePageRoutes(): Router {
  return Router()
    .get(CAPTURE_SCRIPT_PATH, (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.type("text/javascript").send(CAPTURE_SCRIPT);
    })
    .get("/capture", (req, res) => {
      const camera = typeof req.query["camera"] === "string" ? req.query["camera"] : undefined;
      res.setHeader("Cache-Control", "no-store");
      res.type("html").send(renderCapturePage(camera && CAMERA_ID.test(camera) ? camera : undefined));
    });
}
