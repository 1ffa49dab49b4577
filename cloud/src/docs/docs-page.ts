// The browsable API page: static HTML + a same-origin script + a stylesheet, no CDN, so it works on
// an installation with no internet access. The CSP the page is served with allows scripts, styles
// and fetches from this origin only; the script builds the page with textContent (never
// innerHTML), so nothing in the OpenAPI document can inject markup.

export const DOCS_SCRIPT_PATH = "/api/docs/docs.js";
export const DOCS_STYLE_PATH = "/api/docs/docs.css";

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>homecam cloud API</title>
<link rel="stylesheet" href="${DOCS_STYLE_PATH}">
<script src="${DOCS_SCRIPT_PATH}" defer></script>
</head>
<body>
<header>
<h1>homecam cloud API <small id="version"></small></h1>
<p>Generated from the server's own schemas: <a href="/api/openapi.json">openapi.json</a>.
Responses use the envelope <code>{ok: true, data, message?}</code> or
<code>{ok: false, error: {code, message, details?}}</code>.
Authenticate with <code>Authorization: Bearer &lt;access token or API key&gt;</code>.</p>
<input id="filter" type="search" placeholder="Filter by path, summary or tag" autocomplete="off">
</header>
<main id="api"><p id="status">Loading the API description…</p></main>
<noscript>This page needs JavaScript; the raw document is at /api/openapi.json.</noscript>
</body>
</html>
`;

export const DOCS_CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{padding:1rem 1.5rem;background:#fff;border-bottom:1px solid #dde1e7}
h1{margin:.2rem 0;font-size:1.4rem}h1 small{color:#6b7280;font-weight:normal;font-size:.9rem}
h2{margin:1.5rem 0 .5rem;font-size:1.1rem}
main{padding:0 1.5rem 2rem;max-width:70rem}
#filter{width:100%;max-width:30rem;padding:.4rem .6rem;font:inherit;border:1px solid #c4cad3;border-radius:4px}
details.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:.4rem 0}
details.op>summary{cursor:pointer;padding:.5rem .7rem;display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.method{font:bold 12px monospace;text-transform:uppercase;padding:.15rem .4rem;border-radius:3px;color:#fff;min-width:3.6rem;text-align:center}
.get{background:#2f7ed8}.post{background:#2e9d5b}.put{background:#b7791f}.patch{background:#805ad5}.delete{background:#d64545}
.path{font-family:monospace;font-weight:600}.sum{color:#4a5363}
.access{font-size:12px;border:1px solid #c4cad3;border-radius:10px;padding:0 .5rem;color:#4a5363}
.access.public{border-color:#2e9d5b;color:#2e9d5b}.access.admin{border-color:#d64545;color:#d64545}
.body{padding:.2rem .9rem .8rem;border-top:1px solid #eef0f3}
h3{font-size:.9rem;margin:.8rem 0 .3rem;color:#4a5363}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #e2e5ea;padding:.2rem .5rem;text-align:left;vertical-align:top}
pre{background:#f3f4f7;padding:.5rem .7rem;border-radius:4px;overflow:auto;font-size:13px;margin:.2rem 0}
.status{font-family:monospace;font-weight:bold}
`;
