import { chromium, type Page } from "playwright-core";
import { pidAlive, waitFor } from "../capture/helpers.js";
import { CAMERA_ID, startWhepFixture } from "./whep-fixture.js";

// Run by whep-browser.test.ts inside `unshare -n` (a network namespace with only loopback up): the
// agent's LAN server and Chromium share that namespace, so WebRTC can only use 127.0.0.1 (DESIGN §8).
// Prints one JSON line of measurements; the test asserts on it.

const CHROMIUM = process.env["HOMECAM_CHROMIUM"] ?? "/usr/bin/chromium";
const FLAGS = [
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

// Browser-side expressions as strings: the tests' TypeScript program has no DOM types.
const TRANSPORT = `(document.querySelector("homecam-live")?.dataset.transport ?? "")`;
const FRAME = `(async () => {
  const el = document.querySelector("homecam-live");
  const video = el.querySelector("video");
  let framesDecoded = 0;
  const stats = await el.pc.getStats();
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") framesDecoded = s.framesDecoded;
  });
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
  return { width: video.videoWidth, height: video.videoHeight, variance: sq / n - mean * mean, framesDecoded,
    usesSrcObject: video.srcObject !== null, status: el.querySelector("p").textContent };
})()`;

async function pollPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const fx = await startWhepFixture();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
try {
  const token = await fx.token();
  const pages = [await browser.newPage(), await browser.newPage()];
  const t0 = Date.now();
  await Promise.all(pages.map((p) => p.goto(`${fx.url}/live?camera=${CAMERA_ID}#token=${token}`)));
  for (const page of pages) await pollPage(page, `${TRANSPORT} === "webrtc"`, 15_000);
  const firstFrameMs = Date.now() - t0;
  // Let a few more frames decode, then look at what is on screen.
  await new Promise((r) => setTimeout(r, 1_000));
  const frames = await Promise.all(pages.map((p) => p.evaluate(FRAME)));
  const sessionsWhilePlaying = fx.whep.sessionCount;
  const sourcesWhilePlaying = fx.whep.sourceCount;
  const startedWhilePlaying = fx.started.length;
  const pid = fx.started[0]?.pid ?? 0;
  // Removing the element DELETEs its session (what closing the view does).
  for (const page of pages) await page.evaluate(`document.querySelector("homecam-live").remove()`);
  await waitFor("both sessions deleted", () => fx.whep.sessionCount === 0, 5_000);
  await waitFor("the RTP ffmpeg to exit", () => !pidAlive(pid), 5_000);
  const result = {
    firstFrameMs,
    frames,
    sessionsWhilePlaying,
    sourcesWhilePlaying,
    startedWhilePlaying,
    sourcesAfter: fx.whep.sourceCount,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await fx.close();
}
process.exit(0);
