import { agentConfigSchema } from "@homecam/shared";
import { chromium } from "playwright-core";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { startAgent } from "../../../src/main.js";
import { tempDir } from "../capture/helpers.js";
import { silentLog } from "./lan-live-agent.js";
import { LIVE_CLOUD_ISSUER, startLiveCloud } from "./live-cloud.js";
import {
  CHROMIUM,
  CHROMIUM_FLAGS,
  pageProblems,
  pollPage,
  STATUS_TEXT,
  TRANSPORT,
  webRtcPlayback,
} from "./page-helpers.js";

// Run by cloud-live-browser.test.ts inside `unshare -n`: a real cloud and a real agent (startAgent,
// cloud link over the cloud's own MQTT broker, synthetic camera) paired to an owner; Chromium opens
// the CLOUD's /live page. The cloud relays the WHEP offer over MQTT rtc topics, the video flows
// agent → browser. A stranger and an anonymous visitor of the same page get no video.

const dir = await tempDir("cloud-live");
const cloud = await startLiveCloud(silentLog);
const identity = await loadOrCreateDeviceIdentity(dir.path);
const owner = await cloud.signUp("owner");
const stranger = await cloud.signUp("stranger");
await cloud.claim(identity, owner);
const agent = await startAgent({
  config: agentConfigSchema.parse({
    stateDir: dir.path,
    http: { host: "127.0.0.1", port: 0, mdns: false },
    cloud: { enabled: true, url: cloud.url, mqttUrl: cloud.mqttUrl, issuer: LIVE_CLOUD_ISSUER },
    cameras: [{ id: "yard", name: "Yard", source: { type: "test", width: 320, height: 240, fps: 10 } }],
  }),
  log: silentLog,
  version: "t",
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  // The agent registers its cameras when its link connects: the cloud id of "yard".
  let cameraId = "";
  for (let i = 0; i < 100 && !cameraId; i++) {
    const res = await fetch(`${cloud.url}/api/cameras`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    const list = ((await res.json()) as { data: Array<{ id: string; localId: string; online?: boolean }> })
      .data;
    cameraId = list.find((c) => c.localId === "yard")?.id ?? "";
    if (!cameraId) await new Promise((r) => setTimeout(r, 100));
  }
  const open = async (token: string | undefined) => {
    const page = await browser.newPage();
    const problems = pageProblems(page);
    const t0 = Date.now();
    await page.goto(`${cloud.url}/live?camera=${cameraId}${token ? `#token=${token}` : ""}`);
    return { page, problems, t0 };
  };

  const ownerPage = await open(owner.accessToken);
  const { firstFrameMs, frame } = await webRtcPlayback(ownerPage.page, ownerPage.t0);

  const strangerPage = await open(stranger.accessToken);
  await pollPage(strangerPage.page, `${STATUS_TEXT} !== ""`, 20_000);
  const anonymousPage = await open(undefined);
  await pollPage(anonymousPage.page, `${STATUS_TEXT} !== ""`, 10_000);
  const refused = async (p: typeof strangerPage) => ({
    transport: (await p.page.evaluate(TRANSPORT)) as string,
    status: (await p.page.evaluate(STATUS_TEXT)) as string,
    // What the browser logged: the 404 of the refused WHEP POST, nothing else.
    problems: p.problems,
  });
  const result = {
    cameraId,
    firstFrameMs,
    frame,
    ownerProblems: ownerPage.problems,
    stranger: await refused(strangerPage),
    anonymous: await refused(anonymousPage),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await agent.stop();
  await cloud.close();
  await dir.remove();
}
process.exit(0);
