import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectAllTokens } from "../../../src/http/auth-gate.js";
import { createLanApp } from "../../../src/http/lan-app.js";
import { LanServer } from "../../../src/http/lan-server.js";
import { LOCAL_PAIR_SCRIPT_PATH, localPairPageRoutes } from "../../../src/http/local-pair-script.js";
import { silentLog } from "./lan-live-agent.js";

// `/pair?local=1` and its script over HTTP (the browser flow is local-pair-browser.test.ts): what
// the page must not do — reload itself, reflect what it is given, need a token or inline script.

describe("GET /pair?local=1 and its script", () => {
  let server: LanServer;
  let base: string;
  beforeAll(async () => {
    const app = createLanApp({
      version: "t",
      uptimeS: () => 0,
      verifyToken: rejectAllTokens,
      log: silentLog,
      publicRoutes: localPairPageRoutes(),
    });
    server = new LanServer({ app, host: "127.0.0.1", port: 0, log: silentLog });
    await server.start(new AbortController().signal);
    base = server.url ?? "";
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("serves the PIN form with its same-origin script, no refresh, never cached", async () => {
    const res = await fetch(`${base}/pair?local=1`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(html).toContain('<form id="local-pair"');
    expect(html).toMatch(/<input name="pin"[^>]* pattern="\[0-9\]\{6\}"/);
    expect(html).toContain(`<script src="${LOCAL_PAIR_SCRIPT_PATH}" defer></script>`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('http-equiv="refresh"');
    // The cloud pairing page keeps reloading itself.
    expect(await (await fetch(`${base}/pair`)).text()).toContain('http-equiv="refresh"');
  });

  it("prefills a valid camera id and reflects nothing else", async () => {
    const ok = await (await fetch(`${base}/pair?local=1&camera=yard_2`)).text();
    expect(ok).toContain('value="yard_2"');
    const hostile = encodeURIComponent('"><script>alert(1)</script>');
    const html = await (await fetch(`${base}/pair?local=1&camera=${hostile}`)).text();
    expect(html).not.toContain("alert(1)");
    expect(html).not.toMatch(/name="camera"[^>]* value=/);
  });

  it("serves the script without a token", async () => {
    const res = await fetch(base + LOCAL_PAIR_SCRIPT_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    const js = await res.text();
    expect(js).toContain('"homecam.lanToken"');
    expect(js).toContain('"/api/local/pair"');
  });
});
