import { PAIRING_PATH } from "@homecam/shared";
import { type RequestHandler, Router } from "express";
import type { ApiModule } from "../http/create-app.js";
import { PAIR_CSS, PAIR_HTML, PAIR_SCRIPT_PATH, PAIR_STYLE_PATH } from "./pair-page.js";
import { PAIR_JS } from "./pair-script.js";

/**
 * The claim page's policy: this origin's script, stylesheet and fetch only; no inline script or
 * style, no form submission, no framing. Trusted Types with no policy make every HTML-parsing DOM
 * sink (innerHTML and the like) throw, so the page cannot be turned into a DOM XSS later by mistake.
 */
export const PAIR_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

function serve(type: string, body: string, csp?: string): RequestHandler {
  return (_req, res) => {
    res.type(type);
    if (csp) res.setHeader("Content-Security-Policy", csp);
    res.send(body);
  };
}

/**
 * `GET /pair` (+ `/pair/claim.js`, `/pair/pair.css`): the page a pairing QR code opens
 * (`${viewerBaseUrl}/pair#pid=…&pin=…`, shared/src/pairing.ts). It signs the user in or up, shows
 * what the code would pair (`POST /api/qr/validate`) and claims it
 * (`POST /api/connection/establish`). Plain routes rather than registry ones: they answer HTML, JS
 * and CSS, not the JSON envelope the registry documents, and are public (the secrets travel in the
 * fragment, which never reaches the server).
 */
export function pairPageRoutes(): ApiModule {
  return (_registry, router) => {
    const r = Router();
    r.get(PAIRING_PATH, serve("html", PAIR_HTML, PAIR_CSP));
    r.get(PAIR_SCRIPT_PATH, serve("text/javascript; charset=utf-8", PAIR_JS));
    r.get(PAIR_STYLE_PATH, serve("text/css; charset=utf-8", PAIR_CSS));
    router.use(r);
  };
}
