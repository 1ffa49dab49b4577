import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pairingSessionSchema } from "@homecam/shared";
import QRCode from "qrcode";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli-helpers.js";
import { FakeCloud, type FakeSession } from "./fake-cloud.js";
import { type PairingAgent, startPairingAgent } from "./pairing-agent.js";

// `homecam pair` as a user runs it: the real CLI in a child process, talking to a real control
// socket whose pairing manager calls a fake cloud over HTTP with real device tokens.

const WAIT = { timeout: 20_000, interval: 50 };

/** `2025-06-15 15:16:40`: what the CLI prints for an instant, since runCli runs it in UTC. */
function utcLocalTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace("T", " ");
}

describe("homecam pair", () => {
  let dir: string;
  let stateDir: string;
  let config: string;
  let cloud: FakeCloud;
  let agent: PairingAgent | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "homecam-pair-cli-"));
    stateDir = join(dir, "state");
    mkdirSync(stateDir, { mode: 0o700 });
    cloud = await FakeCloud.start();
    config = join(dir, "agent.yaml");
    writeFileSync(config, `stateDir: ${JSON.stringify(stateDir)}\ncloud: { url: "${cloud.url}" }\n`);
  });
  afterEach(async () => {
    await agent?.server.stop();
    agent = undefined;
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Wait until the running `pair` polls the cloud for its session, and return that session. */
  async function waitForPolling(): Promise<FakeSession> {
    let session: FakeSession | undefined;
    await vi.waitFor(() => {
      session = cloud.open();
      expect(session).toBeDefined();
      expect(cloud.infoRequests(session?.pairingId ?? "")).toBeGreaterThan(0);
    }, WAIT);
    return session as FakeSession;
  }

  it("--json prints exactly the session as one JSON object and exits at once", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    const r = await runCli(["pair", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.endsWith("\n")).toBe(true);
    expect(r.stdout.trimEnd()).not.toContain("\n");
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(["pairingId", "pin", "url", "expiresAt"]);
    const [session] = cloud.sessions;
    expect(printed).toEqual({
      pairingId: session?.pairingId,
      pin: session?.pin,
      url: session?.url,
      expiresAt: session?.expiresAt,
    });
    expect(pairingSessionSchema.safeParse(printed).success).toBe(true);
    // The agent asked with its own device token, and keeps the session as the current one.
    expect(cloud.requests).toEqual([
      { method: "POST", path: "/api/qr/generate", deviceId: agent.identity.deviceId },
    ]);
    expect(agent.manager?.current()?.pairingId).toBe(session?.pairingId);
  });

  it("prints the PIN (plain and large), the QR code, the URL and the expiry; exits 0 once claimed", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    cloud.nextPin = "012345";
    const running = runCli(["pair", "--config", config]);
    const session = await waitForPolling();
    cloud.claim(session.pairingId, "owner");
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\n  PIN 012345\n");
    expect(r.stdout).toContain(
      [
        "  ██████    ██    ██████      ██████  ██  ██  ██████",
        "  ██  ██  ████        ██          ██  ██  ██  ██",
        "  ██  ██    ██    ██████        ████  ██████  ██████",
        "  ██  ██    ██    ██              ██      ██      ██",
        "  ██████  ██████  ██████      ██████      ██  ██████",
      ].join("\n"),
    );
    // The QR code of the session's URL, exactly as the qrcode package draws it for a terminal.
    const qr = await QRCode.toString(session.url, { type: "terminal", small: true });
    expect(r.stdout).toContain(qr.trimEnd());
    expect(r.stdout).toContain(`\n  ${session.url}\n`);
    expect(r.stdout).toContain(`  Expires at ${utcLocalTime(session.expiresAt)} (in 10 min).\n`);
    expect(r.stdout.endsWith("\nPaired: owner\n")).toBe(true);
    expect(r.stderr).toBe("");
  });

  it("waits out a cloud outage while polling, saying so once", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    const running = runCli(["pair", "--config", config]);
    const session = await waitForPolling();
    const before = cloud.infoRequests(session.pairingId);
    cloud.down = true;
    // Two failed polls: the first one's error has reached the CLI before the second is sent.
    await vi.waitFor(() => expect(cloud.infoRequests(session.pairingId)).toBeGreaterThan(before + 1), WAIT);
    cloud.down = false;
    cloud.claim(session.pairingId, "viewer");
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("homecam: the cloud is unreachable right now; still waiting\n");
    expect(r.stdout.endsWith("\nPaired: viewer\n")).toBe(true);
  });

  it("exits 1 when the session expires unclaimed", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    cloud.ttlMs = 2_000;
    const r = await runCli(["pair", "--config", config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "homecam: the pairing session expired before it was claimed; run `homecam pair` again\n",
    );
    expect(r.stdout).not.toContain("Paired");
    expect(cloud.sessions.map((s) => s.state)).toEqual(["expired"]);
  });

  it("exits 1 when the session is burned, or cancelled by a newer one", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    const burned = runCli(["pair", "--config", config]);
    cloud.setState((await waitForPolling()).pairingId, "burned");
    const b = await burned;
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(
      "homecam: the pairing session was closed after too many wrong PINs; run `homecam pair` again\n",
    );

    const first = runCli(["pair", "--config", config]);
    const firstSession = await waitForPolling();
    const second = await runCli(["pair", "--json", "--config", config]);
    expect(second.code, second.stderr).toBe(0);
    const f = await first;
    expect(f.code).toBe(1);
    expect(f.stderr).toBe(
      "homecam: the pairing session was cancelled: a newer one was started on this host\n",
    );
    expect(cloud.sessions.find((s) => s.pairingId === firstSession.pairingId)?.state).toBe("cancelled");
    expect(agent.manager?.current()?.pairingId).toBe(JSON.parse(second.stdout).pairingId);
  });

  it("--timeout stops waiting with exit 1; the session stays open", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    const r = await runCli(["pair", "--timeout", "1", "--config", config]);
    expect(r.code).toBe(1);
    const [session] = cloud.sessions;
    expect(r.stderr).toBe(
      `homecam: not claimed within 1 s; the session stays open until ${utcLocalTime(session?.expiresAt ?? "")}\n`,
    );
    expect(session?.state).toBe("open");
  });

  it("when no agent runs: the usual error, exit 1", async () => {
    const r = await runCli(["pair", "--config", config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `homecam: the agent is not running: socket ${join(stateDir, "control.sock")} not found (is \`homecam run\` running with this configuration?)\n`,
    );
    expect(cloud.requests).toEqual([]);
  });

  it("when the agent runs with the cloud disabled: a clear coded error, exit 1", async () => {
    agent = await startPairingAgent(stateDir, null);
    for (const args of [["pair"], ["pair", "--json"]]) {
      const r = await runCli([...args, "--config", config]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "homecam: cloud is disabled in the configuration; pairing needs the cloud " +
          "(set cloud.enabled: true in the agent's configuration and restart the agent) " +
          "(HC_ERR_PAIRING_CLOUD_DISABLED)\n",
      );
    }
    expect(cloud.requests).toEqual([]);
  });

  it("when the cloud is unreachable: an error naming its URL, exit 1", async () => {
    const gone = await FakeCloud.start();
    const goneUrl = gone.url;
    await gone.close();
    agent = await startPairingAgent(stateDir, goneUrl);
    const r = await runCli(["pair", "--json", "--config", config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^homecam: cloud http:\/\/127\.0\.0\.1:\d+ unreachable: .+\n$/);
    expect(r.stderr).toContain(goneUrl);
    expect(r.stderr).toContain(
      "pairing needs the cloud: check cloud.url in the agent's configuration and this host's network (HC_ERR_CLOUD_UNREACHABLE)",
    );
  });

  it("bad flags exit 2 without contacting the agent", async () => {
    agent = await startPairingAgent(stateDir, cloud.url);
    const cases = [
      ["pair", "--timeout", "0"],
      ["pair", "--timeout", "soon"],
      ["pair", "--timeout", "86401"],
      ["pair", "--timeout"],
      ["pair", "--bogus"],
    ];
    const results = await Promise.all(cases.map((args) => runCli([...args, "--config", config])));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]?.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toBe("");
      expect(r.stdout).toBe("");
    }
    expect(results[0]?.stderr).toBe("homecam: --timeout: must be a whole number from 1 to 86400\n");
    expect(results[1]?.stderr).toBe("homecam: --timeout: must be a whole number from 1 to 86400\n");
    expect(cloud.requests).toEqual([]);
  });
});
