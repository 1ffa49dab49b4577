import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIR_CSP, pairPageRoutes } from "../../../src/viewer/pair-page-routes.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// The page and its assets are static and database-independent, so SQLite alone is enough here;
// the claim flow itself runs on both dialects in pair-claim.test.ts.
describe("GET /pair and its assets", () => {
  let database: TestDatabase;
  let app: FeatureApp;
  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    app = await startFeatureApp(database, { modules: () => [pairPageRoutes()] });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  it("serves the page under a strict CSP: same-origin script and style, no inline script or style", async () => {
    const res = await fetch(`${app.url}/pair`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(PAIR_CSP);
    expect(PAIR_CSP).not.toMatch(/unsafe-|\*|https?:/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href|action)="(https?:)?\/\//);
    expect(html).toContain('<script src="/pair/claim.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/pair/pair.css">');
  });

  it("labels every field; the PIN field asks for digits and accepts a one-time-code autofill", async () => {
    const html = await (await fetch(`${app.url}/pair`)).text();
    const inputs = [...html.matchAll(/<input id="([a-z-]+)"/g)].map((m) => m[1]);
    expect(inputs).toEqual([
      "signin-email",
      "signin-password",
      "register-name",
      "register-email",
      "register-password",
      "register-terms",
      "register-privacy",
      "pin",
    ]);
    for (const id of inputs) expect(html).toMatch(new RegExp(`<label[^>]* for="${id}"`));
    const pin = /<input id="pin"[^>]*>/.exec(html)?.[0] ?? "";
    expect(pin).toContain('inputmode="numeric"');
    expect(pin).toContain('autocomplete="one-time-code"');
    expect(pin).toContain('pattern="[0-9]{6}"');
    // Without the script, a form must never send a password or PIN in a URL.
    expect([...html.matchAll(/<form [^>]*>/g)].map((m) => m[0])).toEqual([
      '<form id="signin-form" method="post">',
      '<form id="register-form" method="post">',
      '<form id="pin-form" method="post">',
    ]);
  });

  it("serves the script and stylesheet same-origin with their types, under the default strict CSP", async () => {
    const js = await fetch(`${app.url}/pair/claim.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(js.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    const source = await js.text();
    expect(() => new Function(source)).not.toThrow();
    // Built with textContent only, talks to this origin only, keeps no secret in localStorage.
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|https?:\/\//);
    expect(source).not.toMatch(/localStorage/);
    expect(source).toContain("history.replaceState");
    for (const path of [
      "/api/auth/login",
      "/api/auth/register",
      "/api/qr/validate",
      "/api/connection/establish",
    ])
      expect(source).toContain(`"${path}"`);

    const css = await fetch(`${app.url}/pair/pair.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(css.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
  });

  it("answers other methods and paths below /pair with the JSON 404 envelope", async () => {
    const post = await fetch(`${app.url}/pair`, { method: "POST" });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ ok: false, error: { code: "E_NOT_FOUND" } });
    const other = await fetch(`${app.url}/pair/other.js`);
    expect(other.status).toBe(404);
  });
});
