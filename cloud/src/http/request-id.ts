import { randomUUID } from "node:crypto";

// An incoming id is kept only when it is short and plain, because it is echoed in a header and
// written to every log line of the request: no spaces, quotes or control characters to forge
// log entries or split headers with.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id to use: the caller's `X-Request-Id` when sane (a proxy's trace id), else a new UUID. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  if (typeof incoming === "string" && SANE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}
