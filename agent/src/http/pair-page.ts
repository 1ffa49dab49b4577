import { escapeHtml, htmlPage, type PairingSession } from "@homecam/shared";
import type { RequestHandler } from "express";
import QRCode from "qrcode";
import { formatLocalTime } from "../control/cli-table.js";
import { LOCAL_PAIR_SCRIPT_PATH } from "./local-pair-script.js";

// `GET /pair` on the LAN server: the open pairing session's PIN and QR code, for a phone on the
// same network; `GET /pair?local=1` (the claim URL `homecam pair --local` prints): a form that
// trades the PIN from the device's console for a LAN token, no cloud involved. Showing the PIN here is by design: being on the LAN (or at the device's console)
// is the trust boundary for pairing, as for LAN mode's console PIN (DESIGN §6), and the session is
// single-use, short-lived and burnt after five wrong tries (§4). Without an open session the page
// says nothing but how to open one.
//
// No inline script and no inline style, so the LAN app's Content-Security-Policy holds as is: an
// inline <svg> is markup, not a loaded resource, the cloud pairing page refreshes itself with a
// meta tag, and the local form's behaviour is a same-origin script (local-pair-script.ts).

/** Seconds between the page's automatic reloads (shows a new session, drops a claimed one). */
export const PAIR_PAGE_REFRESH_S = 5;
const QR_SIZE_PX = 256;

export interface PairPageDeps {
  /** The pairing manager; absent when the cloud is disabled (the page then shows no session). */
  pairing?: { current(): PairingSession | null } | undefined;
  /** Epoch milliseconds; injected by tests. */
  clock?: () => number;
}

/** `head` holds what differs between the pages: the cloud page's refresh, the local form's script. */
function page(body: string, head = `<meta http-equiv="refresh" content="${PAIR_PAGE_REFRESH_S}">`): string {
  return htmlPage({ title: "Pair this camera host", head: [head], main: [body] });
}

/** The page when no session is open: how to open one, nothing else. */
export function renderNoSessionPage(): string {
  return page(
    [
      "<h1>No pairing session open</h1>",
      "<p>To pair this camera host with your homecam account, run <code>homecam pair</code> on it.",
      "The PIN and QR code appear here while the session is open.</p>",
    ].join("\n"),
  );
}

/** The page of an open session; `qrSvg` is the QR code of `session.url` as an SVG document. */
export function renderSessionPage(session: PairingSession, qrSvg: string, now: number): string {
  const expiresAt = Date.parse(session.expiresAt);
  const minutes = Math.max(0, Math.round((expiresAt - now) / 60_000));
  const left = minutes < 1 ? "less than a minute left" : `${minutes} min left`;
  const url = escapeHtml(session.url);
  return page(
    [
      "<h1>Pair this camera host</h1>",
      "<p>Scan the QR code with your phone, or type the PIN on the viewer's pair page.</p>",
      "<p>PIN</p>",
      `<h2 id="pin">${escapeHtml(session.pin)}</h2>`,
      `<figure aria-label="QR code of the pairing link">${qrSvg.trim()}</figure>`,
      `<p><a href="${url}" rel="noreferrer">${url}</a></p>`,
      `<p>Expires at <time datetime="${escapeHtml(session.expiresAt)}">` +
        `${escapeHtml(formatLocalTime(expiresAt))}</time> (${left}).</p>`,
    ].join("\n"),
  );
}

/**
 * The local claim form (`/pair?local=1`). It never reloads itself: that would wipe a half-typed
 * PIN. After pairing it opens `/live?camera=<id>` for the camera typed (prefilled from `&camera=`
 * when the link carries one), or the only camera of the device, or lists them (`GET /api/cameras`).
 */
export function renderLocalPairPage(cameraId: string | undefined): string {
  const camera = cameraId ? ` value="${escapeHtml(cameraId)}"` : "";
  return page(
    [
      "<h1>Watch this camera host on your network</h1>",
      "<p>Type the 6-digit PIN that <code>homecam pair --local</code> printed on the device.",
      "No internet or account is needed; the PIN works once, for 10 minutes.</p>",
      '<form id="local-pair" autocomplete="off">',
      '<p><label>PIN <input name="pin" inputmode="numeric" pattern="[0-9]{6}" minlength="6" maxlength="6"',
      ' autocomplete="one-time-code" required></label></p>',
      '<p><label>Name of this viewer <input name="name" maxlength="64" placeholder="Kitchen tablet"></label></p>',
      `<p><label>Camera id (optional) <input name="camera" pattern="[A-Za-z0-9_\\-]{1,64}" maxlength="64"${camera}` +
        ' placeholder="yard"></label></p>',
      '<p><button type="submit">Pair and watch</button></p>',
      "</form>",
      '<p id="local-pair-status" role="status" aria-live="polite"></p>',
      '<ul id="local-pair-cameras"></ul>',
    ].join("\n"),
    `<script src="${LOCAL_PAIR_SCRIPT_PATH}" defer></script>`,
  );
}

const CAMERA_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `GET /pair`: unauthenticated, never cached (it may hold a PIN). */
export function pairPageRoute(deps: PairPageDeps): RequestHandler {
  const clock = deps.clock ?? Date.now;
  // The QR code of the last URL: the page reloads every few seconds while one session is open.
  let last: { url: string; svg: string } | undefined;
  return async (req, res) => {
    if (req.query["local"] === "1") {
      const camera = req.query["camera"];
      res.setHeader("Cache-Control", "no-store");
      res
        .type("html")
        .send(renderLocalPairPage(typeof camera === "string" && CAMERA_ID.test(camera) ? camera : undefined));
      return;
    }
    const session = deps.pairing?.current() ?? null;
    let html: string;
    if (session) {
      if (last?.url !== session.url) {
        const svg = await QRCode.toString(session.url, { type: "svg", width: QR_SIZE_PX, margin: 2 });
        last = { url: session.url, svg };
      }
      html = renderSessionPage(session, last.svg, clock());
    } else {
      last = undefined;
      html = renderNoSessionPage();
    }
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(html);
  };
}
