import { type RequestHandler, Router } from "express";
import type { ApiModule } from "../http/create-app.js";
import { DOCS_CSS, DOCS_HTML, DOCS_SCRIPT_PATH, DOCS_STYLE_PATH } from "./docs-page.js";
import { DOCS_JS } from "./docs-script.js";

/**
 * The page's policy: this origin's script, stylesheet and fetch only — no inline script or style,
 * no other origin (so it works offline and a tampered document cannot exfiltrate anything).
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function serve(type: string, body: string, csp?: string): RequestHandler {
  return (_req, res) => {
    res.type(type);
    if (csp) res.setHeader("Content-Security-Policy", csp);
    res.send(body);
  };
}

/**
 * `GET /api/docs` (+ its script and stylesheet): a browsable view of `/api/openapi.json`. Mounted
 * as plain routes rather than through the registry: they answer HTML, JS and CSS, not the JSON
 * envelope the registry documents, and are public like the document they show.
 */
export function docsRoutes(): ApiModule {
  return (_registry, router) => {
    const r = Router();
    r.get("/api/docs", serve("html", DOCS_HTML, DOCS_CSP));
    r.get(DOCS_SCRIPT_PATH, serve("text/javascript; charset=utf-8", DOCS_JS));
    r.get(DOCS_STYLE_PATH, serve("text/css; charset=utf-8", DOCS_CSS));
    router.use(r);
  };
}
