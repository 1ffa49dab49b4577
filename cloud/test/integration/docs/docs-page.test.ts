import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_CSP } from "../../../src/docs/docs-routes.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

const run = promisify(execFile);
const CHROMIUM = process.env.HOMECAM_CHROMIUM ?? "/usr/bin/chromium";

// The page is static and database-independent, so SQLite alone is enough here; the routes it
// lists come from the same registry on both dialects.
describe("GET /api/docs", () => {
  let database: TestDatabase;
  let app: FeatureApp;
  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    app = await startFeatureApp(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  it("serves a self-contained page: same-origin script and style only, under a strict CSP", async () => {
    const res = await fetch(`${app.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(DOCS_CSP);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    // No inline script, inline style or third-party origin: it must work offline under the CSP.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('src="/api/docs/docs.js"');

    const js = await fetch(`${app.url}/api/docs/docs.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    const source = await js.text();
    expect(() => new Function(source)).not.toThrow();
    expect(source).not.toMatch(/innerHTML|eval\(|https?:\/\//);
    const css = await fetch(`${app.url}/api/docs/docs.css`);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("lists every path, method, summary, access level, parameter and schema in a real browser", async () => {
    expect(existsSync(CHROMIUM), `browser tests need Chromium at ${CHROMIUM} (scripts/setup.sh)`).toBe(true);
    const { stdout } = await run(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Let the page's fetch and rendering finish before the DOM is dumped.
        "--virtual-time-budget=10000",
        "--dump-dom",
        `${app.url}/api/docs`,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const routes = app.registry.routes;
    expect(stdout).toContain(`data-operations="${routes.length}"`);
    for (const r of routes) {
      expect(stdout).toContain(`>${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}<`);
      expect(stdout).toContain(`>${escapeHtml(r.summary)}<`);
    }
    for (const access of ["user", "account", "admin"]) expect(stdout).toContain(`class="access ${access}"`);
    // A query parameter with its pattern, a request body and a response schema, rendered as text.
    expect(stdout).toContain("<td>cursor</td>");
    expect(stdout).toMatch(/defaultMotionSensitivity\?: integer;/);
    expect(stdout).toContain("Request body (application/json)");
    expect(stdout).toMatch(/secret: string;/);
    expect(stdout).not.toContain("Could not load");
  });
});

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
