import { chromium } from "playwright-core";
import { pidAlive, waitFor } from "../capture/helpers.js";
import { CHROMIUM, CHROMIUM_FLAGS, pollPage, TRANSPORT, WEBRTC_FRAME } from "./page-helpers.js";
import { CAMERA_ID, startWhepFixture } from "./whep-fixture.js";

// Run by whep-browser.test.ts inside `unshare -n` (a network namespace with only loopback up): the
// agent's LAN server and Chromium share that namespace, so WebRTC can only use 127.0.0.1 (DESIGN §8).
// Prints one JSON line of measurements; the test asserts on it.

const fx = await startWhepFixture();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  const token = await fx.token();
  const pages = [await browser.newPage(), await browser.newPage()];
  const t0 = Date.now();
  await Promise.all(pages.map((p) => p.goto(`${fx.url}/live?camera=${CAMERA_ID}#token=${token}`)));
  for (const page of pages) await pollPage(page, `${TRANSPORT} === "webrtc"`, 15_000);
  const firstFrameMs = Date.now() - t0;
  // Let playback run half a second past the first frame, then look at what is on screen.
  const PLAYING = `document.querySelector("homecam-live video").currentTime > 0.5`;
  for (const page of pages) await pollPage(page, PLAYING, 10_000);
  const frames = await Promise.all(pages.map((p) => p.evaluate(WEBRTC_FRAME)));
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
