import type { PairingSession } from "@homecam/shared";
import type { RequestHandler } from "express";
import QRCode from "qrcode";
import { formatLocalTime } from "../control/cli-table.js";

// `GET /pair` on the LAN server: the open pairing session's PIN and QR code, for a phone on the
// same network. Showing the PIN here is by design: being on the LAN (or at the device's console)
// is the trust boundary for pairing, as for LAN mode's console PIN (DESIGN §6), and the session is
// single-use, short-lived and burnt after five wrong tries (§4). Without an open session the page
// says nothing but how to open one.
//
// No script and no inline style, so the LAN app's Content-Security-Policy holds as is: an inline
// <svg> is markup, not a loaded resource, and the page refreshes itself with a meta tag.

/** Seconds between the page's automatic reloads (shows a new session, drops a claimed one). */
export const PAIR_PAGE_REFRESH_S = 5;
const QR_SIZE_PX = 256;

export interface PairPageDeps {
  /** The pairing manager; absent when the cloud is disabled (the page then shows no session). */
  pairing?: { current(): PairingSession | null } | undefined;
  /** Epoch milliseconds; injected by tests. */
  clock?: () => number;
}

/** Text made safe for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="refresh" content="${PAIR_PAGE_REFRESH_S}">`,
    '<meta name="robots" content="noindex">',
    "<title>Pair this camera host · homecam</title>",
    "</head>",
    "<body>",
    "<main>",
    body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
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

/** `GET /pair`: unauthenticated, never cached (it may hold a PIN). */
export function pairPageRoute(deps: PairPageDeps): RequestHandler {
  const clock = deps.clock ?? Date.now;
  // The QR code of the last URL: the page reloads every few seconds while one session is open.
  let last: { url: string; svg: string } | undefined;
  return async (_req, res) => {
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
