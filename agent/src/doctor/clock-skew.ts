import type { CheckResult } from "./check-result.js";

/** Any earlier year means the clock was never set: a Pi has no battery-backed clock. */
export const MIN_PLAUSIBLE_YEAR = 2024;
/** Tokens, presigned upload URLs and TLS certificates are checked against the clock; past this they fail. */
export const MAX_SKEW_MS = 60_000;

const NTP_FIX = "enable network time: sudo timedatectl set-ntp true, then check `timedatectl status`";

/** What asking the cloud for its time produced. */
export type CloudTime =
  | { kind: "disabled" }
  | { kind: "unreachable"; url: string; reason: string }
  /** `dateHeader` is the HTTP `Date` of the response; the local clock is read before and after. */
  | { kind: "answered"; url: string; dateHeader: string | null; sentAt: number; receivedAt: number };

/** Judge the local clock, against the cloud's when there is one. */
export function judgeClock(nowMs: number, cloud: CloudTime): CheckResult {
  const name = "clock";
  const local = new Date(nowMs).toISOString();
  if (new Date(nowMs).getUTCFullYear() < MIN_PLAUSIBLE_YEAR) {
    return {
      name,
      status: "fail",
      detail: `system clock says ${local}, which cannot be right`,
      fix: NTP_FIX,
    };
  }
  switch (cloud.kind) {
    case "disabled":
      return { name, status: "ok", detail: `system clock ${local} (cloud disabled: not compared)` };
    case "unreachable":
      return {
        name,
        status: "warn",
        detail: `system clock ${local}; the cloud at ${cloud.url} is unreachable (${cloud.reason}), so it was not compared`,
        fix: `check cloud.url and the network: curl -sI ${cloud.url}/health`,
      };
    case "answered": {
      const cloudMs = cloud.dateHeader ? Date.parse(cloud.dateHeader) : Number.NaN;
      if (Number.isNaN(cloudMs)) {
        return {
          name,
          status: "warn",
          detail: `system clock ${local}; the cloud's answer had no usable Date header, so it was not compared`,
        };
      }
      // The Date header is truncated to the second and stamped somewhere during the request:
      // compare with the middle of the round trip, and allow the truncated second.
      const skew = Math.abs((cloud.sentAt + cloud.receivedAt) / 2 - (cloudMs + 500));
      const skewS = Math.round(skew / 1000);
      if (skew > MAX_SKEW_MS) {
        return { name, status: "fail", detail: `system clock is ${skewS} s off the cloud's`, fix: NTP_FIX };
      }
      return { name, status: "ok", detail: `system clock within ${skewS} s of the cloud's` };
    }
  }
}
