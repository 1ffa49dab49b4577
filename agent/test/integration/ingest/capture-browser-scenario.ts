import { chromium } from "playwright-core";
import { type ProbeResult, probe } from "../../../src/recording/ffprobe.js";
import { waitFor } from "../capture/helpers.js";
import { CHROMIUM, CHROMIUM_FLAGS, pollPage } from "../live/page-helpers.js";
import { BROWSER_CAMERA, startBrowserAgent } from "./browser-agent.js";

// Run by capture-browser.test.ts inside `unshare -n` (only loopback up): a REAL agent with a browser
// camera, and Debian's Chromium whose fake camera publishes to /capture over WHIP. Prints one JSON
// line of measurements; the test asserts on it.

// What the publishing peer sends, from its own stats (browser-side, as a string: no DOM types here).
const SENT = `(async () => {
  const stats = await window.homecamCapture.pc.getStats();
  let out = {};
  const codecs = {};
  stats.forEach((s) => { if (s.type === "codec") codecs[s.id] = s; });
  stats.forEach((s) => {
    if (s.type !== "outbound-rtp" || s.kind !== "video") return;
    const c = codecs[s.codecId] || {};
    out = { mimeType: c.mimeType, fmtp: c.sdpFmtpLine, framesEncoded: s.framesEncoded,
      keyFramesEncoded: s.keyFramesEncoded, bytesSent: s.bytesSent, width: s.frameWidth,
      height: s.frameHeight, pliCount: s.pliCount, encoder: s.encoderImplementation };
  });
  return out;
})()`;

const fx = await startBrowserAgent();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [...CHROMIUM_FLAGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
});
try {
  const { token, role } = await fx.pair();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const t0 = Date.now();
  await page.goto(`${fx.url}/capture?camera=${BROWSER_CAMERA}#token=${token}`);
  await pollPage(page, `document.body.dataset.state === "publishing"`, 15_000);
  const publishingMs = Date.now() - t0;
  await waitFor(
    "the browser camera online",
    () => fx.cameraState(BROWSER_CAMERA)?.status === "online",
    15_000,
  );
  const onlineMs = Date.now() - t0;
  // The fake camera's picture changes unevenly, so short events (1 s clips) happen too: wait for a
  // clip of a longer one (events split at maxSeconds = 5 s).
  let clip: ProbeResult | undefined;
  const probed = new Set<string>();
  const deadline = Date.now() + 30_000;
  while ((clip?.durationMs ?? 0) < 2_000 && Date.now() < deadline) {
    for (const path of await fx.waitForClips(BROWSER_CAMERA, deadline - Date.now())) {
      if (probed.has(path)) continue;
      probed.add(path);
      const info = await probe(path, { countFrames: true });
      if (info.durationMs > (clip?.durationMs ?? -1)) clip = info;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const clipMs = Date.now() - t0;
  const sent = await page.evaluate(SENT);
  const urlAfter = page.url();
  const result = { role, publishingMs, onlineMs, clipMs, clips: probed.size, clip, sent, errors, urlAfter };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await fx.stop();
}
process.exit(0);
