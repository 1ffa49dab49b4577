import fc from "fast-check";
import { cameraConfigSchema } from "../../src/config/agent.js";
import { MESSAGE_TYPES, type MessageBody, type MessageType } from "../../src/mqtt/messages.js";

// Generators of valid bodies for every message type, for the round-trip properties in
// messages.test.ts. The mapped type below makes a missing type a compile error.

const rec = <T extends Record<string, unknown>>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
  required?: (keyof T)[],
) => fc.record(model, { noNullPrototype: true, ...(required ? { requiredKeys: required } : {}) });

const chars = (s: string) => s.split("");
const token = fc.string({
  unit: fc.constantFrom(...chars("ABCXYZabcxyz0189_-")),
  minLength: 1,
  maxLength: 64,
});
// -0 does not survive JSON (it becomes 0); `+ 0` normalises it.
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => x + 0);
const unit = num(0, 1);
const epochMs = fc.integer({ min: 0, max: 4_102_444_800_000 });
const nat = fc.nat();
const reason = fc.string({ minLength: 1, maxLength: 256 });
const objectKey = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/), { minLength: 1, maxLength: 5 })
  .map((s) => s.join("/"));
const cameraStatus = fc.constantFrom("starting", "online", "reconnecting", "error", "disabled");
const sdp = fc.string({ minLength: 1, maxLength: 2000 });
const box = rec({ x: unit, y: unit, w: unit, h: unit });
// Forbidden keys are rejected on both ends (messages.test.ts covers that); keep them out here.
const FORBIDDEN = /"(__proto__|constructor|prototype)":/;
const json = fc
  .jsonValue()
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => !FORBIDDEN.test(JSON.stringify(v) ?? ""));

const span = fc
  .tuple(epochMs, fc.integer({ min: 0, max: 86_400_000 }))
  .map(([startedAt, d]) => ({ startedAt, endedAt: startedAt + d, durationMs: d }));

const eventBase = {
  eventId: token,
  cameraId: token,
  type: fc.constantFrom("motion", "manual", "scheduled", "sound"),
  score: unit,
  boxes: fc.array(box, { maxLength: 5 }),
  thumbnailKey: objectKey,
};
const event = fc
  .tuple(span, rec(eventBase, ["eventId", "cameraId", "type", "score"]), fc.boolean())
  .map(([s, e, ended]) => ({ ...e, startedAt: s.startedAt, ...(ended ? { endedAt: s.endedAt } : {}) }));

const command = fc.oneof(
  rec({ name: fc.constant("snapshot" as const), args: rec({ cameraId: token }) }),
  rec({ name: fc.constant("settings.get" as const), args: rec({ cameraId: token }, []) }),
  rec({
    name: fc.constant("settings.set" as const),
    args: rec(
      {
        cameraId: token,
        patch: fc.dictionary(
          fc.stringMatching(/^[a-z][a-zA-Z.]{0,20}$/).filter((k) => k !== "constructor" && k !== "prototype"),
          json,
          { maxKeys: 4, noNullPrototype: true },
        ),
      },
      ["patch"],
    ),
  }),
  rec({
    name: fc.constant("ptz.move" as const),
    args: rec(
      {
        cameraId: token,
        pan: num(-1, 1),
        tilt: num(-1, 1),
        zoom: num(-1, 1),
        timeoutMs: fc.integer({ min: 1, max: 60_000 }),
      },
      ["cameraId", "pan", "tilt", "zoom"],
    ),
  }),
  rec({ name: fc.constant("ptz.stop" as const), args: rec({ cameraId: token }) }),
  rec({
    name: fc.constant("ptz.preset" as const),
    args: rec({ cameraId: token, preset: fc.string({ minLength: 1, maxLength: 64 }) }),
  }),
  rec({
    name: fc.constant("record.now" as const),
    args: rec({ cameraId: token, seconds: fc.integer({ min: 1, max: 300 }) }),
  }),
  rec({ name: fc.constantFrom("arm" as const, "disarm" as const), args: rec({ cameraId: token }, []) }),
  rec({ name: fc.constant("camera.restart" as const), args: rec({ cameraId: token }) }),
  rec({ name: fc.constant("event.delete" as const), args: rec({ eventId: token }) }),
  rec({ name: fc.constant("recording.delete" as const), args: rec({ recordingId: token }) }),
  rec({ name: fc.constant("grants.revoked" as const), args: rec({ userId: token }) }),
  fc
    .record({
      id: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/),
      name: fc.string({ minLength: 1, maxLength: 64 }),
    })
    .map(({ id, name }) => ({
      name: "camera.add" as const,
      // The schema's output (defaults applied), which is what round-trips.
      args: { camera: cameraConfigSchema.parse({ id, name, source: { type: "test" } }) },
    })),
);

/** A valid body for every message type. */
export const BODY_ARBITRARIES: { [T in MessageType]: fc.Arbitrary<MessageBody<T>> } = {
  "device.status": rec(
    {
      state: fc.constantFrom("online", "offline"),
      reason,
      agentVersion: fc.stringMatching(/^\d{1,3}\.\d{1,3}\.\d{1,3}$/),
      cameras: fc.array(rec({ id: token, status: cameraStatus, reason }, ["id", "status"]), { maxLength: 4 }),
    },
    ["state"],
  ),
  "device.telemetry": rec(
    {
      cpuPercent: num(0, 100),
      memoryMB: num(0, 65536),
      temperatureC: fc.option(num(-40, 120), { nil: null }),
      diskFreeMB: num(0, 1e7),
      diskTotalMB: num(0, 1e7),
      uptimeS: num(0, 1e9),
      cameras: fc.array(
        rec({ id: token, status: cameraStatus, fps: num(0, 120), reason }, ["id", "status", "fps"]),
        {
          maxLength: 4,
        },
      ),
    },
    ["cpuPercent", "memoryMB", "diskFreeMB", "diskTotalMB", "uptimeS", "cameras"],
  ),
  "event.started": event,
  "event.updated": event,
  "event.ended": fc
    .tuple(span, rec(eventBase, ["eventId", "cameraId", "type", "score"]))
    .map(([s, e]) => ({ ...e, ...s })),
  "recording.ready": fc
    .tuple(
      span,
      rec(
        {
          recordingId: token,
          eventId: fc.option(token, { nil: null }),
          cameraId: token,
          index: nat,
          sizeBytes: nat,
          format: fc.constant("mp4" as const),
          sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
        },
        ["recordingId", "eventId", "cameraId", "index", "sizeBytes", "format"],
      ),
    )
    .map(([s, r]) => ({ ...r, ...s })),
  "upload.done": rec({
    recordingId: token,
    objectKey,
    sizeBytes: nat,
    kind: fc.constantFrom("clip", "thumbnail"),
  }),
  "clip.deleted": rec({ recordingId: token, reason, uploaded: fc.boolean() }),
  "retention.warning": rec({ recordingId: token, reason, sizeBytes: nat }),
  command,
  "command.result": fc.oneof(
    rec({ ok: fc.constant(true as const), data: json }, ["ok"]),
    rec({
      ok: fc.constant(false as const),
      error: rec({
        code: fc.constantFrom("E_TIMEOUT", "E_NOT_FOUND", "E_NOT_IMPLEMENTED", "E_INTERNAL"),
        message: fc.string({ maxLength: 100 }),
      }),
    }),
  ),
  "rtc.offer": rec({ cameraId: token, sdp }),
  "rtc.answer": rec({ sdp }),
  "rtc.candidate": rec(
    {
      candidate: fc.string({ maxLength: 200 }),
      sdpMid: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
      sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
      usernameFragment: fc.option(fc.string({ maxLength: 16 }), { nil: null }),
    },
    ["candidate"],
  ),
  "rtc.close": rec({ reason }, []),
};

/** A frame with a valid body of a random type. */
export const anyMessage = fc.constantFrom(...MESSAGE_TYPES).chain((type) =>
  fc.record(
    {
      type: fc.constant(type),
      body: BODY_ARBITRARIES[type] as fc.Arbitrary<unknown>,
      id: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    },
    { noNullPrototype: true },
  ),
);
