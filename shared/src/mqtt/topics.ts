import { z } from "zod";
import { ApiError } from "../errors.js";

// Topic layout (DESIGN.md §5). Every device owns one subtree, `hc/v1/dev/{deviceId}/…`; the broker
// lets a device publish only the "up" topics of its own subtree and subscribe only to its "down"
// filters. Segments are restricted to [A-Za-z0-9_.-] so no id can contain the MQTT wildcards `+`
// and `#` [MQTT-4.7.1], the level separator `/`, or start a `$` system topic [MQTT-4.7.2].

/** The version-prefixed root shared by every device subtree. */
export const TOPIC_ROOT = "hc/v1/dev";

/** Device id: base64url JWK thumbprint (43 chars for SHA-256); up to 64 accepted. */
export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Request id (`req/…`, `res/…`) and WebRTC session id (`rtc/…`). */
export const TOKEN_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Event kind segment of `evt/{kind}`: by convention the message type, e.g. `event.started`. */
export const EVENT_KIND_RE = /^[a-z0-9.-]{1,32}$/;

/** zod schema of a device id. */
export const deviceIdSchema = z
  .string()
  .regex(DEVICE_ID_RE)
  .describe("Device id (base64url JWK thumbprint).");
/** zod schema of a request id. */
export const requestIdSchema = z.string().regex(TOKEN_ID_RE).describe("Request id, unique per device.");
/** zod schema of a WebRTC signalling session id. */
export const sessionIdSchema = z.string().regex(TOKEN_ID_RE).describe("WebRTC signalling session id.");
/** zod schema of an `evt/{kind}` segment. */
export const eventKindSchema = z.string().regex(EVENT_KIND_RE).describe("Event kind topic segment.");

/** `in` = towards the device, `out` = from the device. */
export type RtcDirection = "in" | "out";

/** A topic of the layout, decomposed. `build(parsed)` gives the topic back. */
export type ParsedTopic =
  | { kind: "status"; deviceId: string }
  | { kind: "telemetry"; deviceId: string }
  | { kind: "evt"; deviceId: string; eventKind: string }
  | { kind: "req"; deviceId: string; requestId: string }
  | { kind: "res"; deviceId: string; requestId: string }
  | { kind: "rtc"; deviceId: string; sessionId: string; dir: RtcDirection };

/** The kinds of topic in the layout. */
export type TopicKind = ParsedTopic["kind"];

function check(re: RegExp, value: string, what: string): string {
  // Builders throw: an invalid id here is a bug in the sender, and publishing it could escape
  // the device's subtree.
  if (typeof value !== "string" || !re.test(value)) {
    throw new ApiError("E_VALIDATION", `invalid ${what} for an MQTT topic`);
  }
  return value;
}

function base(deviceId: string): string {
  return `${TOPIC_ROOT}/${check(DEVICE_ID_RE, deviceId, "device id")}`;
}

/** Typed topic builders. Each throws `ApiError` (`E_VALIDATION`) on an invalid id. */
export const topics = {
  /** `hc/v1/dev/{id}/status` — retained; also the last-will topic. Up. */
  status: (deviceId: string): string => `${base(deviceId)}/status`,
  /** `hc/v1/dev/{id}/telemetry`. Up. */
  telemetry: (deviceId: string): string => `${base(deviceId)}/telemetry`,
  /** `hc/v1/dev/{id}/evt/{kind}` — QoS 1. Up. */
  evt: (deviceId: string, eventKind: string): string =>
    `${base(deviceId)}/evt/${check(EVENT_KIND_RE, eventKind, "event kind")}`,
  /** `hc/v1/dev/{id}/req/{requestId}` — a command to the device. Down. */
  req: (deviceId: string, requestId: string): string =>
    `${base(deviceId)}/req/${check(TOKEN_ID_RE, requestId, "request id")}`,
  /** `hc/v1/dev/{id}/res/{requestId}` — the device's answer. Up. */
  res: (deviceId: string, requestId: string): string =>
    `${base(deviceId)}/res/${check(TOKEN_ID_RE, requestId, "request id")}`,
  /** `hc/v1/dev/{id}/rtc/{sessionId}/{in|out}` — WebRTC signalling; `in` is down, `out` is up. */
  rtc: (deviceId: string, sessionId: string, dir: RtcDirection): string => {
    if (dir !== "in" && dir !== "out") throw new ApiError("E_VALIDATION", "invalid rtc direction");
    return `${base(deviceId)}/rtc/${check(TOKEN_ID_RE, sessionId, "session id")}/${dir}`;
  },
} as const;

/** Builds the topic for a parsed topic; the inverse of {@link parseTopic}. Throws like `topics.*`. */
export function buildTopic(parsed: ParsedTopic): string {
  switch (parsed.kind) {
    case "status":
      return topics.status(parsed.deviceId);
    case "telemetry":
      return topics.telemetry(parsed.deviceId);
    case "evt":
      return topics.evt(parsed.deviceId, parsed.eventKind);
    case "req":
      return topics.req(parsed.deviceId, parsed.requestId);
    case "res":
      return topics.res(parsed.deviceId, parsed.requestId);
    case "rtc":
      return topics.rtc(parsed.deviceId, parsed.sessionId, parsed.dir);
  }
}

// Longest valid topic: root (9) + 4 separators/fixed segments + two 64-char ids ≈ 150 chars.
const MAX_TOPIC_LENGTH = 256;

/**
 * Parses a concrete topic (not a filter) of the layout. Returns null for anything else: other
 * roots or versions, wildcards, `$` topics, empty levels, unknown shapes, over-long ids, non-strings.
 * Never throws.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  if (typeof topic !== "string" || topic.length > MAX_TOPIC_LENGTH) return null;
  const parts = topic.split("/");
  if (parts.length < 5 || parts[0] !== "hc" || parts[1] !== "v1" || parts[2] !== "dev") return null;
  const deviceId = parts[3] ?? "";
  if (!DEVICE_ID_RE.test(deviceId)) return null;
  const [, , , , section, a, b, ...rest] = parts;
  if (rest.length > 0) return null;
  switch (section) {
    case "status":
    case "telemetry":
      return a === undefined ? { kind: section, deviceId } : null;
    case "evt":
      return a !== undefined && b === undefined && EVENT_KIND_RE.test(a)
        ? { kind: "evt", deviceId, eventKind: a }
        : null;
    case "req":
    case "res":
      return a !== undefined && b === undefined && TOKEN_ID_RE.test(a)
        ? { kind: section, deviceId, requestId: a }
        : null;
    case "rtc":
      return a !== undefined && TOKEN_ID_RE.test(a) && (b === "in" || b === "out")
        ? { kind: "rtc", deviceId, sessionId: a, dir: b }
        : null;
    default:
      return null;
  }
}

/** `"up"` for device → cloud topics, `"down"` for cloud → device topics. */
export function direction(parsed: ParsedTopic): "up" | "down" {
  switch (parsed.kind) {
    case "req":
      return "down";
    case "rtc":
      return parsed.dir === "in" ? "down" : "up";
    default:
      return "up";
  }
}

/** `hc/v1/dev/{id}/#` — the whole subtree of one device (for the cloud or an ACL check). */
export function deviceSubtreeFilter(deviceId: string): string {
  return `${base(deviceId)}/#`;
}

/** Topic filters a device subscribes to (and the only ones it may): its requests and rtc `in`. */
export const deviceFilters = {
  /** `hc/v1/dev/{id}/req/+` */
  requests: (deviceId: string): string => `${base(deviceId)}/req/+`,
  /** `hc/v1/dev/{id}/rtc/+/in` */
  rtcIn: (deviceId: string): string => `${base(deviceId)}/rtc/+/in`,
} as const;

/** All filters a device subscribes to, in one list. */
export function deviceSubscriptions(deviceId: string): string[] {
  return [deviceFilters.requests(deviceId), deviceFilters.rtcIn(deviceId)];
}

/** Filters the cloud subscribes to: every "up" topic of every device. */
export const CLOUD_SUBSCRIPTIONS: readonly string[] = [
  `${TOPIC_ROOT}/+/status`,
  `${TOPIC_ROOT}/+/telemetry`,
  `${TOPIC_ROOT}/+/evt/+`,
  `${TOPIC_ROOT}/+/res/+`,
  `${TOPIC_ROOT}/+/rtc/+/out`,
];
