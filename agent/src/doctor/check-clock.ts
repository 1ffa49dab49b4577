import type { CheckResult } from "./check-result.js";
import { type CloudTime, judgeClock } from "./clock-skew.js";

export interface ClockCheckDeps {
  cloud: { enabled: boolean; url: string };
  now?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Compare the system clock with the cloud's HTTP `Date` (RFC 9110 §6.6.1) of `GET <cloud>/health`. */
export async function checkClock(deps: ClockCheckDeps): Promise<CheckResult> {
  const now = deps.now ?? Date.now;
  return judgeClock(now(), await askCloudTime(deps, now));
}

async function askCloudTime(deps: ClockCheckDeps, now: () => number): Promise<CloudTime> {
  if (!deps.cloud.enabled) return { kind: "disabled" };
  const url = deps.cloud.url.replace(/\/+$/, "");
  const doFetch = deps.fetch ?? fetch;
  const sentAt = now();
  try {
    const res = await doFetch(`${url}/health`, { signal: AbortSignal.timeout(deps.timeoutMs ?? 3_000) });
    const receivedAt = now();
    await res.body?.cancel();
    // Any HTTP answer carries the server's clock, even an error status.
    return { kind: "answered", url, dateHeader: res.headers.get("date"), sentAt, receivedAt };
  } catch (err) {
    return { kind: "unreachable", url, reason: describeFetchError(err) };
  }
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, bad port) in `cause`.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}
