import { chromium } from "playwright-core";
import { tempDir } from "../capture/helpers.js";
import { runCli } from "../cli-helpers.js";
import { CAMERA_ID, startLanLiveAgent } from "./lan-live-agent.js";
import { CHROMIUM, CHROMIUM_FLAGS, pageProblems, pollPage, webRtcPlayback } from "./page-helpers.js";

// Run by local-pair-browser.test.ts inside `unshare -n`: an agent with no cloud at all, a PIN from
// `homecam pair --local`, and a viewer in Chromium who opens the printed claim URL, types a wrong
// PIN, then the right one, and lands on a live page that plays. Prints one JSON line.

const PAIR_STATUS = `(document.getElementById("local-pair-status")?.textContent ?? "")`;

const dir = await tempDir("local-pair-page");
const agent = await startLanLiveAgent({ stateDir: dir.path });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  const cli = await runCli(["pair", "--local", "--json", "--config", agent.configPath]);
  const session = JSON.parse(cli.stdout) as { pin: string; url: string };
  const page = await browser.newPage();
  const problems = pageProblems(page);
  await page.goto(session.url);
  const wrongPin = session.pin === "000000" ? "000001" : "000000";
  await page.fill('input[name="pin"]', wrongPin);
  await page.fill('input[name="name"]', "Kitchen tablet");
  await page.fill('input[name="camera"]', CAMERA_ID);
  await page.click('button[type="submit"]');
  await pollPage(page, `/wrong pin/i.test(${PAIR_STATUS})`, 5_000);
  const wrongPinStatus = await page.evaluate(PAIR_STATUS);
  // A wrong PIN spends no viewer and no token.
  const tokenAfterWrongPin = await page.evaluate(`sessionStorage.getItem("homecam.lanToken")`);
  // The browser logs the refused claim's 401; anything else would be a defect of the page.
  const wrongPinProblems = problems.splice(0);

  await page.fill('input[name="pin"]', session.pin);
  // No camera typed this time: the page picks the device's only camera from GET /api/cameras.
  await page.fill('input[name="camera"]', "");
  const t0 = Date.now();
  await page.click('button[type="submit"]');
  await page.waitForURL(`${agent.url}/live?camera=${CAMERA_ID}`, { timeout: 5_000 });
  const { firstFrameMs, frame } = await webRtcPlayback(page, t0);
  const stored = (await page.evaluate(`sessionStorage.getItem("homecam.lanToken")`)) as string;
  const result = {
    claimUrl: session.url,
    agentUrl: agent.url,
    wrongPinStatus,
    tokenAfterWrongPin,
    wrongPinProblems,
    firstFrameMs,
    frame,
    principal: await agent.lanAuth.verifyToken(stored),
    viewers: (await agent.localPairing.viewers()).map((v) => ({ name: v.name, role: v.role })),
    problems,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await agent.close();
  await dir.remove();
}
process.exit(0);
