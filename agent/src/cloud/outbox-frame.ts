import { EVENT_MESSAGE_TYPES, encodeMessage, type MessageType, topics } from "@homecam/shared";
import type { OutboxRow } from "../store/schema.js";

/** A row ready to publish, or why it never can be. */
export type OutboxFrame = { ok: true; topic: string; payload: string } | { ok: false; error: string };

/**
 * The MQTT topic and payload of an outbox row: `evt/{topic_kind}`, framed with the row's id (the
 * cloud's idempotency key, the same on every resend) and its creation time. The body is checked
 * again against today's schema: a row written by an older agent may no longer fit. Never throws.
 */
export function outboxFrame(deviceId: string, row: OutboxRow): OutboxFrame {
  if (!(EVENT_MESSAGE_TYPES as readonly string[]).includes(row.type))
    return { ok: false, error: `not an event message type: ${row.type.slice(0, 64)}` };
  try {
    const topic = topics.evt(deviceId, row.topic_kind);
    const body = JSON.parse(row.body) as never;
    const payload = encodeMessage(row.type as MessageType, body, { id: row.id, ts: row.created_at });
    return { ok: true, topic, payload };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
