import { chromium } from "playwright-core";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { tempDir } from "../capture/helpers.js";
import { CAMERA_ID, silentLog, startLanLiveAgent } from "./lan-live-agent.js";
import { LIVE_CLOUD_ISSUER, startLiveCloud } from "./live-cloud.js";
import { CHROMIUM, CHROMIUM_FLAGS, pageProblems, webRtcPlayback } from "./page-helpers.js";

// Run by cloud-down-browser.test.ts inside `unshare -n`: a real cloud issues a LAN token to the
// owner of a real (LAN-side) agent, the cloud stops, and Chromium opens the agent's live page with
// that token. Prints one JSON line of observations; the test asserts on it.

const dir = await tempDir("cloud-down");
const cloud = await startLiveCloud(silentLog);
const identity = await loadOrCreateDeviceIdentity(dir.path);
const owner = await cloud.signUp("owner");
await cloud.claim(identity, owner);
// Started while the cloud is up, as a device normally is: it caches the cloud's JWKS.
const agent = await startLanLiveAgent({
  stateDir: dir.path,
  identity,
  cloud: { url: cloud.url, mqttUrl: cloud.mqttUrl, issuer: LIVE_CLOUD_ISSUER },
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  const token = await cloud.lanToken(identity.deviceId, owner);
  await cloud.stop();
  // Proof the cloud is gone, not merely idle: its port refuses connections.
  const cloudAnswers = await fetch(`${cloud.url}/health`).then(
    () => true,
    () => false,
  );
  const page = await browser.newPage();
  const problems = pageProblems(page);
  const t0 = Date.now();
  await page.goto(`${agent.url}/live?camera=${CAMERA_ID}#token=${token}`);
  const { firstFrameMs, frame } = await webRtcPlayback(page, t0);
  const result = {
    cloudAnswers,
    firstFrameMs,
    frame,
    sessions: agent.whep.sessionCount,
    rtpSources: agent.whep.sourceCount,
    fmp4Sources: agent.live.sourceCount,
    problems,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await agent.close();
  await cloud.close();
  await dir.remove();
}
process.exit(0);
