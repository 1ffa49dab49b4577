import type { MessageType } from "./messages.js";
import type { ParsedTopic } from "./topics.js";

/** Message types published on `evt/{kind}`; the topic's kind is the message type. */
export const EVENT_MESSAGE_TYPES = [
  "event.started",
  "event.updated",
  "event.ended",
  "recording.ready",
  "upload.done",
  "clip.deleted",
  "retention.warning",
] as const satisfies readonly MessageType[];

const RTC_IN = ["rtc.offer", "rtc.candidate", "rtc.close"] as const satisfies readonly MessageType[];
const RTC_OUT = ["rtc.answer", "rtc.candidate", "rtc.close"] as const satisfies readonly MessageType[];

/**
 * The message types allowed on a topic; pass the result to `parseMessage` as `expectedTypes` so a
 * valid message on the wrong topic (a `command` on `res/…`) is dropped. Empty for an `evt/{kind}`
 * whose kind is not an event message type.
 */
export function messageTypesFor(parsed: ParsedTopic): readonly MessageType[] {
  switch (parsed.kind) {
    case "status":
      return ["device.status"];
    case "telemetry":
      return ["device.telemetry"];
    case "evt":
      return EVENT_MESSAGE_TYPES.filter((t) => t === parsed.eventKind);
    case "req":
      return ["command"];
    case "res":
      return ["command.result"];
    case "rtc":
      return parsed.dir === "in" ? RTC_IN : RTC_OUT;
  }
}
