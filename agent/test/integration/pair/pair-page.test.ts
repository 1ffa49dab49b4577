import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import QRCode from "qrcode";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { PairingManager } from "../../../src/cloud/pairing-manager.js";
import { rejectAllTokens } from "../../../src/http/auth-gate.js";
import { createLanApp } from "../../../src/http/lan-app.js";
import { LanServer } from "../../../src/http/lan-server.js";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { FakeCloud } from "./fake-cloud.js";

// The LAN server's /pair page, backed by the real pairing manager and a fake cloud over HTTP.

const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

async function startLan(pairing?: PairingManager): Promise<LanServer> {
  const app = createLanApp({
    version: "9.9.9",
    uptimeS: () => 1,
    verifyToken: rejectAllTokens,
    log,
    ...(pairing ? { pairing } : {}),
  });
  const server = new LanServer({ app, host: "127.0.0.1", port: 0, log });
  await server.start(new AbortController().signal);
  return server;
}

async function getPage(server: LanServer): Promise<{ res: Response; html: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/pair`);
  return { res, html: await res.text() };
}

function expectNoSessionPage(html: string): void {
  expect(html).toContain("<h1>No pairing session open</h1>");
  expect(html).toContain("run <code>homecam pair</code> on it");
  expect(html).not.toContain("<svg");
  expect(html).not.toContain('id="pin"');
}

describe("LAN /pair page", () => {
  let dir: string;
  let cloud: FakeCloud;
  let manager: PairingManager;
  let lan: LanServer | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "homecam-pair-page-"));
    cloud = await FakeCloud.start();
    const identity = await loadOrCreateDeviceIdentity(join(dir, "state"));
    manager = new PairingManager({ api: new CloudApi({ baseUrl: cloud.url, identity }), log });
  });
  afterEach(async () => {
    await lan?.stop();
    lan = undefined;
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without a session: says how to open one, no token needed, not cached, security headers kept", async () => {
    lan = await startLan(manager);
    const { res, html } = await getPage(lan);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expectNoSessionPage(html);
    // The page is the only addition in front of the gate.
    expect((await fetch(`http://127.0.0.1:${lan.port}/pair/x`)).status).toBe(401);
    expect(cloud.requests).toEqual([]);
  });

  it("shows the open session's PIN, QR code (inline SVG) and expiry, then nothing once it is claimed", async () => {
    lan = await startLan(manager);
    cloud.nextPin = "246801";
    const session = await manager.start();
    const { res, html } = await getPage(lan);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(html).toContain('<h2 id="pin">246801</h2>');
    const svg = await QRCode.toString(session.url, { type: "svg", width: 256, margin: 2 });
    expect(html).toContain(svg.trim());
    expect(html).toContain(`<time datetime="${session.expiresAt}">`);
    expect(html).toMatch(/\((?:10|9) min left\)/);
    // The URL is escaped in the markup; nothing on the page needs a script or an inline style.
    expect(html).toContain(`href="${session.url.replace("&", "&#38;")}"`);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("style=");
    expect(html).toContain('<meta http-equiv="refresh" content="5">');

    // Nobody polls (as after `homecam pair --json`): the page's own reads notice the claim.
    cloud.claim(session.pairingId, "owner");
    await vi.waitFor(
      async () => {
        const after = await getPage(lan as LanServer);
        expect(after.html).not.toContain("246801");
        expectNoSessionPage(after.html);
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(cloud.infoRequests(session.pairingId)).toBeGreaterThan(0);
  });

  it("with the cloud disabled (no pairing manager): the page shows no session", async () => {
    lan = await startLan();
    const { res, html } = await getPage(lan);
    expect(res.status).toBe(200);
    expectNoSessionPage(html);
  });
});
