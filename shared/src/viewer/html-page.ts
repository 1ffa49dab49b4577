// The shell of the small server-rendered pages (live, capture, pair) on the agent and the cloud:
// no inline script or style (both servers' CSP forbid them), no favicon request (it would sit
// behind the token gate and log a 401), not indexed.

/** Text made safe for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface HtmlPage {
  /** Already escaped. */
  title: string;
  /** Extra `<head>` lines (a same-origin script, a refresh). */
  head?: readonly string[];
  /** Attributes of `<body>`, e.g. ` data-state="starting"`. */
  bodyAttributes?: string;
  /** The lines inside `<main>`. */
  main: readonly string[];
}

export function htmlPage(p: HtmlPage): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    '<link rel="icon" href="data:,">',
    `<title>${p.title} · homecam</title>`,
    ...(p.head ?? []),
    "</head>",
    `<body${p.bodyAttributes ?? ""}>`,
    "<main>",
    ...p.main,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
