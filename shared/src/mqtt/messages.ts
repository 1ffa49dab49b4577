import { z } from "zod";
import { ApiError } from "../errors.js";
import { commandBodySchema, commandResultBodySchema } from "./bodies/command.js";
import { deviceStatusBodySchema, deviceTelemetryBodySchema } from "./bodies/device.js";
import {
  clipDeletedBodySchema,
  eventBodySchema,
  eventEndedBodySchema,
  recordingReadyBodySchema,
  retentionWarningBodySchema,
  uploadDoneBodySchema,
} from "./bodies/events.js";
import {
  rtcAnswerBodySchema,
  rtcCandidateBodySchema,
  rtcCloseBodySchema,
  rtcOfferBodySchema,
} from "./bodies/rtc.js";
import { newMessageId } from "./message-id.js";
import { TOKEN_ID_RE } from "./topics.js";

/** The one typed map from message type to body schema (the whole MQTT API in one place). */
export const MESSAGE_BODIES = {
  "device.status": deviceStatusBodySchema,
  "device.telemetry": deviceTelemetryBodySchema,
  "event.started": eventBodySchema,
  "event.updated": eventBodySchema,
  "event.ended": eventEndedBodySchema,
  "recording.ready": recordingReadyBodySchema,
  "upload.done": uploadDoneBodySchema,
  "clip.deleted": clipDeletedBodySchema,
  "retention.warning": retentionWarningBodySchema,
  command: commandBodySchema,
  "command.result": commandResultBodySchema,
  "rtc.offer": rtcOfferBodySchema,
  "rtc.answer": rtcAnswerBodySchema,
  "rtc.candidate": rtcCandidateBodySchema,
  "rtc.close": rtcCloseBodySchema,
} as const satisfies Record<string, z.ZodType>;

/** A known message type. */
export type MessageType = keyof typeof MESSAGE_BODIES;

/** Every known message type. */
export const MESSAGE_TYPES = Object.keys(MESSAGE_BODIES) as [MessageType, ...MessageType[]];

/** zod enum of the known message types. */
export const messageTypeSchema = z.enum(MESSAGE_TYPES);

/** The validated body of message type `T`. */
export type MessageBody<T extends MessageType> = z.output<(typeof MESSAGE_BODIES)[T]>;

/** What a sender passes as the body of message type `T` (before defaults). */
export type MessageBodyInput<T extends MessageType> = z.input<(typeof MESSAGE_BODIES)[T]>;

/**
 * A validated MQTT message. Distributes over `T`, so `MqttMessage` (no argument) is a union
 * discriminated by `type`.
 */
export type MqttMessage<T extends MessageType = MessageType> = T extends MessageType
  ? { v: 1; id: string; ts: number; type: T; body: MessageBody<T> }
  : never;

/** Largest accepted payload, in bytes of UTF-8 (also enforced by the broker before parsing). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** Schema of the frame around every body; `body` is checked against {@link MESSAGE_BODIES}. */
export const messageFrameSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(TOKEN_ID_RE).describe("Unique message id; the receiver's idempotency key."),
  ts: z.int().nonnegative().describe("Send time, ms since the Unix epoch."),
  type: z.string().min(1).max(64),
  body: z.unknown(),
});

/** Result of {@link parseMessage}. `error` is safe to log: it never quotes the payload. */
export type ParseMessageResult<T extends MessageType = MessageType> =
  | { ok: true; message: MqttMessage<T> }
  | { ok: false; error: string };

// Keys that turn a later object merge into prototype pollution. No body uses them.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

class ForbiddenKeyError extends Error {}

const MAYBE_FORBIDDEN_KEY = /"(?:__proto__|constructor|prototype)"/;

// Used both as JSON.parse reviver and JSON.stringify replacer, so what encodes also parses.
function rejectForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError();
  return value;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

function utf8Length(text: string): number {
  // A UTF-16 code unit is at least one and at most three UTF-8 bytes: skip encoding when decided.
  if (text.length > MAX_MESSAGE_BYTES) return text.length;
  if (text.length * 3 <= MAX_MESSAGE_BYTES) return text.length;
  return utf8Encoder.encode(text).byteLength;
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

function decode(raw: Uint8Array | string): { ok: true; value: unknown } | { ok: false; error: string } {
  let text: string;
  if (typeof raw === "string") {
    if (utf8Length(raw) > MAX_MESSAGE_BYTES) return { ok: false, error: "payload too large" };
    text = raw;
  } else if (raw instanceof Uint8Array) {
    if (raw.byteLength > MAX_MESSAGE_BYTES) return { ok: false, error: "payload too large" };
    try {
      text = utf8.decode(raw);
    } catch {
      return { ok: false, error: "payload is not valid UTF-8" };
    }
  } else {
    return { ok: false, error: "payload is neither bytes nor string" };
  }
  try {
    // The reviver costs ~5 µs per message on the broker's hot path. A key can only be one of the
    // forbidden ones if its quoted name appears in the text, or is spelled with a `\u` escape.
    if (!MAYBE_FORBIDDEN_KEY.test(text) && !text.includes("\\u"))
      return { ok: true, value: JSON.parse(text) };
    return { ok: true, value: JSON.parse(text, rejectForbiddenKeys) };
  } catch (err) {
    if (err instanceof ForbiddenKeyError) return { ok: false, error: "payload contains a forbidden key" };
    // SyntaxError, or RangeError from pathological nesting.
    return { ok: false, error: "payload is not valid JSON" };
  }
}

/**
 * Decodes and validates an MQTT payload. Never throws: any bad input (size over
 * {@link MAX_MESSAGE_BYTES}, bad UTF-8, bad JSON, `__proto__`/`constructor`/`prototype` keys,
 * wrong frame, unknown or unexpected type, invalid body) gives `{ ok: false, error }`.
 * With `expectedTypes`, other known types are rejected too (use the types allowed on the topic).
 */
export function parseMessage<T extends MessageType = MessageType>(
  raw: Uint8Array | string,
  expectedTypes?: readonly T[],
): ParseMessageResult<T> {
  try {
    const decoded = decode(raw);
    if (!decoded.ok) return decoded;
    const frame = messageFrameSchema.safeParse(decoded.value);
    if (!frame.success) return { ok: false, error: `invalid frame: ${describeIssues(frame.error, "")}` };
    const { type } = frame.data;
    if (!Object.hasOwn(MESSAGE_BODIES, type)) return { ok: false, error: "unknown message type" };
    if (expectedTypes !== undefined && !(expectedTypes as readonly string[]).includes(type)) {
      return { ok: false, error: `unexpected message type ${type}` };
    }
    const body = MESSAGE_BODIES[type as MessageType].safeParse(frame.data.body);
    if (!body.success) return { ok: false, error: `invalid ${type}: ${describeIssues(body.error, "body")}` };
    const message = { v: 1, id: frame.data.id, ts: frame.data.ts, type, body: body.data };
    return { ok: true, message: message as MqttMessage<T> };
  } catch {
    // Defence in depth: the steps above are not expected to throw.
    return { ok: false, error: "payload could not be parsed" };
  }
}

/**
 * Validates a message and serialises it to the JSON payload to publish. `id` defaults to a fresh
 * random id, `ts` to `Date.now()`. Throws `ApiError` — `E_VALIDATION` for an invalid body, id or
 * timestamp, `E_PAYLOAD_TOO_LARGE` over {@link MAX_MESSAGE_BYTES} — since that is a sender bug.
 * The payload holds the schema's output (unknown members stripped), so it parses back the same.
 */
export function encodeMessage<T extends MessageType>(
  type: T,
  body: MessageBodyInput<T>,
  options: { id?: string; ts?: number } = {},
): string {
  const frame = messageFrameSchema.safeParse({
    v: 1,
    id: options.id ?? newMessageId(),
    ts: options.ts ?? Date.now(),
    type,
    body,
  });
  if (!frame.success) {
    throw new ApiError("E_VALIDATION", `invalid message frame: ${describeIssues(frame.error, "")}`);
  }
  if (!Object.hasOwn(MESSAGE_BODIES, type)) throw new ApiError("E_VALIDATION", "unknown message type");
  const parsed = MESSAGE_BODIES[type].safeParse(body);
  if (!parsed.success) {
    throw new ApiError("E_VALIDATION", `invalid ${type}: ${describeIssues(parsed.error, "body")}`, {
      issues: parsed.error.issues,
    });
  }
  let json: string;
  try {
    json = JSON.stringify({ ...frame.data, body: parsed.data }, rejectForbiddenKeys);
  } catch (err) {
    // A forbidden key, BigInt or cycle inside an `unknown` member (command.result data, patch).
    throw new ApiError("E_VALIDATION", `${type} is not serialisable`, undefined, { cause: err });
  }
  if (utf8Length(json) > MAX_MESSAGE_BYTES) {
    throw new ApiError("E_PAYLOAD_TOO_LARGE", `${type} exceeds ${MAX_MESSAGE_BYTES} bytes`);
  }
  return json;
}
