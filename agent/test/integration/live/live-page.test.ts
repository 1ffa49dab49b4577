import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAMERA_ID, type LiveFixture, startLiveFixture } from "./live-fixture.js";
import { pollPage, VIDEO_LUMA } from "./page-helpers.js";

// The live page in Debian's Chromium (headless, flags of DESIGN §8): the <homecam-live> element
// authenticates on the WebSocket, feeds MediaSource, and the synthetic camera really plays.

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
];

// Browser-side expressions as strings: the tests' TypeScript program has no DOM types.
const CURRENT_TIME = `(document.querySelector("video")?.currentTime ?? 0)`;
const STATUS_TEXT = `(document.querySelector("homecam-live p")?.textContent ?? "")`;

interface FrameStats {
  width: number;
  height: number;
  /** Variance of the luma of the frame on screen, drawn to a canvas. */
  variance: number;
  /** Seconds between the playback position and the end of what is buffered. */
  lagS: number;
  status: string;
}

const FRAME_STATS = `(() => {
  const video = document.querySelector("video");
  const ranges = video.buffered;
  return {
    ...${VIDEO_LUMA}(video),
    lagS: ranges.length ? ranges.end(ranges.length - 1) - video.currentTime : NaN,
    status: ${STATUS_TEXT},
  };
})()`;

describe("GET /live?camera=<id> in Chromium", () => {
  let fx: LiveFixture;
  let browser: Browser;
  beforeAll(async () => {
    fx = await startLiveFixture();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  it("plays the synthetic camera near the live edge, under the LAN app's CSP", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (err) => problems.push(err.message));
    // This fixture serves no WHEP route: ask the element for the WebSocket fallback directly.
    await page.goto(`${fx.url}/live?camera=${CAMERA_ID}#transport=websocket&token=${await fx.token()}`);
    // The token left the address bar for sessionStorage (it must not linger in history).
    expect(new URL(page.url()).hash).toBe("");

    await pollPage(page, `${CURRENT_TIME} > 0.3`, 15_000);
    const t0 = (await page.evaluate(CURRENT_TIME)) as number;
    await pollPage(page, `${CURRENT_TIME} > ${t0 + 1}`, 10_000);

    const frame = (await page.evaluate(FRAME_STATS)) as FrameStats;
    expect(frame).toMatchObject({ width: 320, height: 240, status: "" });
    // The scene has a sky band, a house and a burned-in counter: a blank or uniform frame has ~0.
    expect(frame.variance).toBeGreaterThan(100);
    expect(frame.lagS).toBeLessThan(1.5);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows why when the token is refused, and receives no video", async () => {
    const page = await browser.newPage();
    await page.goto(`${fx.url}/live?camera=${CAMERA_ID}#token=forged.token.value`);
    await pollPage(page, `/token/i.test(${STATUS_TEXT})`, 10_000);
    expect(await page.evaluate(`document.querySelector("video").src`)).toBe("");
    await page.close();
  });
});
