import { chromium } from "playwright-core";
import { CAMERA_ID, startLiveFixture } from "./live-fixture.js";
import {
  CHROMIUM,
  CHROMIUM_FLAGS,
  CURRENT_TIME,
  pageProblems,
  pollPage,
  STATUS_TEXT,
  VIDEO_LUMA,
} from "./page-helpers.js";

// Run by live-page.test.ts inside `unshare -n` (only loopback up): the <homecam-live> element on
// the fMP4 WebSocket fallback in Chromium, with a good token and with a forged one. Prints one JSON
// line of observations; the test asserts on it.

const FRAME_STATS = `(() => {
  const video = document.querySelector("video");
  const ranges = video.buffered;
  return {
    ...${VIDEO_LUMA}(video),
    lagS: ranges.length ? ranges.end(ranges.length - 1) - video.currentTime : NaN,
    currentTime: video.currentTime,
    usesSrcObject: video.srcObject !== null,
    status: ${STATUS_TEXT},
  };
})()`;

const fx = await startLiveFixture();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  const page = await browser.newPage();
  const problems = pageProblems(page);
  const t0 = Date.now();
  // This fixture serves no WHEP route: ask the element for the WebSocket fallback directly.
  await page.goto(`${fx.url}/live?camera=${CAMERA_ID}#transport=websocket&token=${await fx.token()}`);
  const hashAfterLoad = new URL(page.url()).hash;
  await pollPage(page, `${CURRENT_TIME} > 0.3`, 15_000);
  const firstFrameMs = Date.now() - t0;
  const start = (await page.evaluate(CURRENT_TIME)) as number;
  await pollPage(page, `${CURRENT_TIME} > ${start + 1}`, 10_000);
  const frame = await page.evaluate(FRAME_STATS);
  await page.close();

  const forgedPage = await browser.newPage();
  await forgedPage.goto(`${fx.url}/live?camera=${CAMERA_ID}#transport=websocket&token=forged.token.value`);
  await pollPage(forgedPage, `/token/i.test(${STATUS_TEXT})`, 10_000);
  const forged = {
    status: await forgedPage.evaluate(STATUS_TEXT),
    videoSrc: await forgedPage.evaluate(`document.querySelector("video").src`),
  };
  const result = { hashAfterLoad, firstFrameMs, frame, problems, forged, started: fx.started.length };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await fx.close();
}
process.exit(0);
