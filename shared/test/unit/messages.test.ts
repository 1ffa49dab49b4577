import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.js";
import { COMMAND_NAMES } from "../../src/mqtt/bodies/command.js";
import { newMessageId } from "../../src/mqtt/message-id.js";
import {
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_BODIES,
  MESSAGE_TYPES,
  type MessageType,
  type MqttMessage,
  parseMessage,
} from "../../src/mqtt/messages.js";
import { anyMessage, BODY_ARBITRARIES } from "./message-arbitraries.js";

const frame = (type: string, body: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, id: "m1", ts: 1_700_000_000_000, type, body, ...extra });
const telemetry = {
  cpuPercent: 12.5,
  memoryMB: 210,
  temperatureC: null,
  diskFreeMB: 1000,
  diskTotalMB: 30000,
  uptimeS: 3600,
  cameras: [{ id: "front-door", status: "online", fps: 15 }],
};
const bytes = (s: string) => new TextEncoder().encode(s);

describe("parseMessage", () => {
  it("accepts a valid message and returns the typed frame", () => {
    const result = parseMessage(bytes(frame("device.telemetry", telemetry)));
    expect(result).toEqual({
      ok: true,
      message: { v: 1, id: "m1", ts: 1_700_000_000_000, type: "device.telemetry", body: telemetry },
    });
    if (result.ok && result.message.type === "device.telemetry") {
      expect(result.message.body.cameras[0]?.fps).toBe(15);
    }
  });

  it("strips members it does not know (forward compatibility)", () => {
    const result = parseMessage(frame("rtc.close", { reason: "bye", future: 1 }, { extra: true }));
    expect(result).toEqual({
      ok: true,
      message: { v: 1, id: "m1", ts: 1_700_000_000_000, type: "rtc.close", body: { reason: "bye" } },
    });
  });

  it("rejects every kind of bad input with a reason", () => {
    const cases: [Uint8Array | string, RegExp][] = [
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
      [new Uint8Array([0xed, 0xa0, 0x80]), /UTF-8/], // encoded lone surrogate
      ["", /JSON/],
      ["{", /JSON/],
      ["null", /frame/],
      ["[]", /frame/],
      ['"device.status"', /frame/],
      [frame("device.status", { state: "online" }, { v: 2 }), /frame: v/],
      [frame("device.status", { state: "online" }, { id: "" }), /frame: id/],
      [frame("device.status", { state: "online" }, { id: "a/b" }), /frame: id/],
      [frame("device.status", { state: "online" }, { id: "x".repeat(65) }), /frame: id/],
      [frame("device.status", { state: "online" }, { ts: -1 }), /frame: ts/],
      [frame("device.status", { state: "online" }, { ts: 1.5 }), /frame: ts/],
      [frame("device.status", { state: "online" }).replace("1700000000000", "1e400"), /frame: ts/],
      [frame("device.status", { state: "online" }).replace("1700000000000", "9007199254740993"), /frame: ts/],
      [frame("device.status", { state: "online" }, { ts: "1700000000000" }), /frame: ts/],
      [frame("device.reboot", {}), /unknown message type/],
      [frame("toString", {}), /unknown message type/],
      [frame("__proto__", {}), /unknown message type/],
      [frame("device.status", { state: "sleeping" }), /invalid device.status: body.state/],
      [
        frame("device.telemetry", { ...telemetry, cpuPercent: 12345 }).replace("12345", "1e400"),
        /body.cpuPercent/,
      ],
      [frame("device.telemetry", { ...telemetry, cameras: "all" }), /body.cameras/],
      [frame("command", { name: "shell", args: { cmd: "rm -rf /" } }), /invalid command/],
      [
        frame("command", { name: "ptz.move", args: { cameraId: "c", pan: 2, tilt: 0, zoom: 0 } }),
        /body.args.pan/,
      ],
      [frame("command", { name: "record.now", args: { cameraId: "c", seconds: 301 } }), /body.args.seconds/],
      [
        frame("event.ended", { eventId: "e", cameraId: "c", type: "motion", startedAt: 5, score: 0.5 }),
        /endedAt/,
      ],
      [
        frame("event.started", {
          eventId: "e",
          cameraId: "c",
          type: "motion",
          startedAt: 5,
          endedAt: 4,
          score: 0.5,
        }),
        /endedAt/,
      ],
      [
        frame("upload.done", {
          recordingId: "r",
          objectKey: "dev/../other/x.mp4",
          sizeBytes: 1,
          kind: "clip",
        }),
        /objectKey/,
      ],
      [
        frame("upload.done", { recordingId: "r", objectKey: "/abs.mp4", sizeBytes: 1, kind: "clip" }),
        /objectKey/,
      ],
      [frame("command.result", { ok: false, error: { code: "E_NOPE", message: "x" } }), /body.error.code/],
      [frame("rtc.answer", { sdp: "v".repeat(64 * 1024 + 1) }), /body.sdp/],
      [
        '{"v":1,"id":"m1","ts":1,"type":"rtc.close","body":{},"__proto__":{"polluted":true}}',
        /forbidden key/,
      ],
      // The same key spelled with \u escapes (the fast path must not skip the check for it).
      [
        '{"v":1,"id":"m1","ts":1,"type":"rtc.close","body":{},"\\u005f_proto__":{"polluted":true}}',
        /forbidden key/,
      ],
      ['{"v":1,"id":"m1","ts":1,"type":"rtc.close","body":{"constructo\\u0072":{}}}', /forbidden key/],
      [
        frame("command.result", JSON.parse('{"ok":true,"data":{"a":{"constructor":{"prototype":{}}}}}')),
        /forbidden key/,
      ],
      [
        frame("command", {
          name: "settings.set",
          args: { patch: JSON.parse('{"__proto__":{"admin":true}}') },
        }),
        /forbidden/,
      ],
      [`${"[".repeat(100_000)}${"]".repeat(100_000)}`, /JSON|frame/],
      [" ".repeat(MAX_MESSAGE_BYTES + 1), /too large/],
      ["€".repeat(MAX_MESSAGE_BYTES / 3 + 1), /too large/],
      [new Uint8Array(MAX_MESSAGE_BYTES + 1), /too large/],
      [42 as unknown as string, /neither bytes nor string/],
    ];
    for (const [raw, error] of cases) {
      const result = parseMessage(raw);
      expect(result.ok, String(error)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(error);
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts a payload of exactly the size limit", () => {
    const base = frame("rtc.close", { reason: "x" });
    const padded = base.replace('"body"', `${" ".repeat(MAX_MESSAGE_BYTES - base.length)}"body"`);
    expect(bytes(padded).byteLength).toBe(MAX_MESSAGE_BYTES);
    expect(parseMessage(padded).ok).toBe(true);
    expect(parseMessage(bytes(padded)).ok).toBe(true);
  });

  it("rejects valid messages of a type the caller does not expect", () => {
    const raw = frame("command", { name: "snapshot", args: { cameraId: "c1" } });
    expect(parseMessage(raw, ["command"]).ok).toBe(true);
    const result = parseMessage(raw, ["command.result"]);
    expect(result).toEqual({ ok: false, error: "unexpected message type command" });
    expect(parseMessage(raw, []).ok).toBe(false);
  });

  it("never throws on arbitrary strings, bytes and JSON values", () => {
    const check = (raw: Uint8Array | string) => {
      const result = parseMessage(raw);
      if (!result.ok) expect(typeof result.error).toBe("string");
      else expect(Object.hasOwn(MESSAGE_BODIES, result.message.type)).toBe(true);
    };
    fc.assert(fc.property(fc.string({ unit: "binary" }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 500 });
    // Random bodies inside a valid frame: invalid ones must come back as { ok: false }.
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES), fc.jsonValue(), (type, body) => {
        const result = parseMessage(frame(type, body));
        expect(result.ok).toBe(
          MESSAGE_BODIES[type].safeParse(body).success &&
            !/"__proto__"|"constructor"|"prototype"/.test(JSON.stringify(body)),
        );
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        let text: string | undefined;
        try {
          text = JSON.stringify(value);
        } catch {
          text = String(value);
        }
        check(text ?? "undefined");
        check(value as string);
      }),
      { numRuns: 500 },
    );
  });
});

describe("encodeMessage", () => {
  it("fills id and ts and produces the wire frame", () => {
    const before = Date.now();
    const json = encodeMessage("device.status", { state: "online", agentVersion: "0.1.0" });
    const wire = JSON.parse(json);
    expect(Object.keys(wire)).toEqual(["v", "id", "ts", "type", "body"]);
    expect(wire.v).toBe(1);
    expect(wire.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(wire.ts).toBeGreaterThanOrEqual(before);
    expect(wire.ts).toBeLessThanOrEqual(Date.now());
    expect(wire.body).toEqual({ state: "online", agentVersion: "0.1.0" });
    expect(encodeMessage("rtc.close", {}, { id: "fixed", ts: 7 })).toBe(
      '{"v":1,"id":"fixed","ts":7,"type":"rtc.close","body":{}}',
    );
    // Members outside the schema are not sent.
    const extra = { reason: "bye", secret: "x" } as { reason: string };
    expect(encodeMessage("rtc.close", extra, { id: "fixed", ts: 7 })).toBe(
      '{"v":1,"id":"fixed","ts":7,"type":"rtc.close","body":{"reason":"bye"}}',
    );
  });

  it("throws ApiError on invalid input", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        return (err as ApiError).code;
      }
      return "no error";
    };
    expect(code(() => encodeMessage("device.status", { state: "asleep" as "online" }))).toBe("E_VALIDATION");
    expect(code(() => encodeMessage("rtc.close", {}, { id: "a b" }))).toBe("E_VALIDATION");
    expect(code(() => encodeMessage("rtc.close", {}, { ts: -5 }))).toBe("E_VALIDATION");
    expect(code(() => encodeMessage("nope" as MessageType, {} as never))).toBe("E_VALIDATION");
    expect(code(() => encodeMessage("command.result", { ok: true, data: 10n }))).toBe("E_VALIDATION");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(code(() => encodeMessage("command.result", { ok: true, data: cyclic }))).toBe("E_VALIDATION");
    const polluting = JSON.parse('{"__proto__":{"x":1}}');
    expect(code(() => encodeMessage("command.result", { ok: true, data: polluting }))).toBe("E_VALIDATION");
    const big = "x".repeat(MAX_MESSAGE_BYTES);
    expect(code(() => encodeMessage("command.result", { ok: true, data: big }))).toBe("E_PAYLOAD_TOO_LARGE");
  });

  it("round-trips random valid bodies of every type through parseMessage", () => {
    fc.assert(
      fc.property(anyMessage, ({ type, body, id, ts }) => {
        const json = encodeMessage(type, body as never, { id, ts });
        const result = parseMessage(bytes(json), [type]);
        expect(result).toEqual({ ok: true, message: { v: 1, id, ts, type, body } });
      }),
      { numRuns: 1000 },
    );
  });

  it("has a generator for every type and a schema for every command name", () => {
    expect(Object.keys(BODY_ARBITRARIES).sort()).toEqual([...MESSAGE_TYPES].sort());
    expect(COMMAND_NAMES).toEqual([
      "snapshot",
      "settings.get",
      "settings.set",
      "ptz.move",
      "ptz.stop",
      "ptz.preset",
      "record.now",
      "arm",
      "disarm",
      "camera.restart",
      "camera.add",
      "event.delete",
      "recording.delete",
      "grants.revoked",
    ]);
  });
});

describe("MqttMessage typing", () => {
  it("narrows the body on type", () => {
    const result = parseMessage(
      encodeMessage("command", { name: "ptz.move", args: { cameraId: "c1", pan: 0.5, tilt: -1, zoom: 0 } }),
      ["command"],
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const message: MqttMessage<"command"> = result.message;
    expect(message.body.name === "ptz.move" && message.body.args.pan).toBe(0.5);
  });
});

describe("newMessageId", () => {
  it("returns 22 base64url chars, different each time", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/);
  });
});
