import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Page } from "playwright-core";

// Shared by the browser tests: polling a page, the picture on screen drawn to a canvas with the
// variance of its luma (a blank or uniform frame is near 0; the synthetic scene gives hundreds),
// Chromium's flags, and running a scenario confined to loopback with `unshare -n`.

/** JS source of `(video) => ({width, height, variance})`, to embed in a `page.evaluate` string. */
export const VIDEO_LUMA = `((video) => {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(video, 0, 0);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  let sq = 0;
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
    sum += y;
    sq += y * y;
  }
  const mean = sum / n;
  return { width: video.videoWidth, height: video.videoHeight, variance: sq / n - mean * mean };
})`;

/**
 * Poll a boolean expression from Node: page.waitForFunction would compile it with eval in the
 * page, which the LAN app's CSP rightly forbids (evaluate goes through the DevTools protocol).
 */
export async function pollPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const CHROMIUM = process.env["HOMECAM_CHROMIUM"] ?? "/usr/bin/chromium";

/** DESIGN §8's headless flags, plus what WebRTC over loopback in `unshare -n` needs. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
];

const execFileP = promisify(execFile);
const AGENT_DIR = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));

/**
 * Runs a scenario file (next to this one) in a child process inside `unshare -n` with only `lo`
 * up, so no packet leaves the machine and ICE can pick nothing but 127.0.0.1 (DESIGN §8); resolves
 * with the JSON of its last stdout line. Its stderr is kept in the error when it fails.
 */
export async function runConfined<T>(scenario: string, args: string[] = [], timeoutMs = 90_000): Promise<T> {
  const file = fileURLToPath(new URL(`./${scenario}`, import.meta.url));
  const { stdout } = await execFileP(
    "unshare",
    ["-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', TSX, file, ...args],
    { cwd: AGENT_DIR, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as T;
}

/** Collects a page's console errors and uncaught exceptions (CSP violations show up here). */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return problems;
}

/** The element's transport once a frame arrived ("webrtc" or "websocket"), "" before. */
export const TRANSPORT = `(document.querySelector("homecam-live")?.dataset.transport ?? "")`;
export const CURRENT_TIME = `(document.querySelector("homecam-live video")?.currentTime ?? 0)`;
export const STATUS_TEXT = `(document.querySelector("homecam-live p")?.textContent ?? "")`;

/** What a WebRTC-playing <homecam-live> shows: the frame's luma, decoded frames, its state. */
export interface WebRtcFrame {
  width: number;
  height: number;
  variance: number;
  framesDecoded: number;
  usesSrcObject: boolean;
  currentTime: number;
  status: string;
}

export const WEBRTC_FRAME = `(async () => {
  const el = document.querySelector("homecam-live");
  const video = el.querySelector("video");
  let framesDecoded = 0;
  const stats = el.pc ? await el.pc.getStats() : new Map();
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") framesDecoded = s.framesDecoded;
  });
  return { ...${VIDEO_LUMA}(video), framesDecoded, usesSrcObject: video.srcObject !== null,
    currentTime: video.currentTime, status: ${STATUS_TEXT} };
})()`;

/**
 * Waits until the element plays over WebRTC and its clock has advanced by more than a second past
 * the first frame, then samples the frame on screen. `firstFrameMs` counts from `since`.
 */
export async function webRtcPlayback(
  page: Page,
  since: number,
): Promise<{ firstFrameMs: number; frame: WebRtcFrame }> {
  await pollPage(page, `${TRANSPORT} === "webrtc"`, 15_000);
  const firstFrameMs = Date.now() - since;
  await pollPage(page, `${CURRENT_TIME} > 0.3`, 10_000);
  const t0 = (await page.evaluate(CURRENT_TIME)) as number;
  await pollPage(page, `${CURRENT_TIME} > ${t0 + 1}`, 10_000);
  return { firstFrameMs, frame: (await page.evaluate(WEBRTC_FRAME)) as WebRtcFrame };
}
