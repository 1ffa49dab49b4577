import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.js";
import { messageTypesFor } from "../../src/mqtt/topic-messages.js";
import {
  buildTopic,
  CLOUD_SUBSCRIPTIONS,
  deviceIdSchema,
  deviceSubscriptions,
  deviceSubtreeFilter,
  direction,
  eventKindSchema,
  type ParsedTopic,
  parseTopic,
  requestIdSchema,
  topics,
} from "../../src/mqtt/topics.js";

const THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; // RFC 7638 §3.1 example

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("");
const tokenArb = fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 64 });
const kindArb = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789.-".split("")),
  minLength: 1,
  maxLength: 32,
});

// fast-check 4 may otherwise build null-prototype objects, which toStrictEqual tells apart.
const NO_NULL_PROTO = { noNullPrototype: true } as const;

/** Every topic kind over random valid ids. */
export const parsedTopicArb: fc.Arbitrary<ParsedTopic> = fc.oneof(
  tokenArb.map((deviceId) => ({ kind: "status", deviceId }) as const),
  tokenArb.map((deviceId) => ({ kind: "telemetry", deviceId }) as const),
  fc.record({ kind: fc.constant("evt"), deviceId: tokenArb, eventKind: kindArb }, NO_NULL_PROTO),
  fc.record({ kind: fc.constant("req"), deviceId: tokenArb, requestId: tokenArb }, NO_NULL_PROTO),
  fc.record({ kind: fc.constant("res"), deviceId: tokenArb, requestId: tokenArb }, NO_NULL_PROTO),
  fc.record(
    {
      kind: fc.constant("rtc"),
      deviceId: tokenArb,
      sessionId: tokenArb,
      dir: fc.constantFrom("in" as const, "out" as const),
    },
    NO_NULL_PROTO,
  ),
);

describe("topic builders", () => {
  it("build the documented layout", () => {
    const d = THUMBPRINT;
    expect(topics.status(d)).toBe(`hc/v1/dev/${d}/status`);
    expect(topics.telemetry(d)).toBe(`hc/v1/dev/${d}/telemetry`);
    expect(topics.evt(d, "event.started")).toBe(`hc/v1/dev/${d}/evt/event.started`);
    expect(topics.req(d, "r1")).toBe(`hc/v1/dev/${d}/req/r1`);
    expect(topics.res(d, "r1")).toBe(`hc/v1/dev/${d}/res/r1`);
    expect(topics.rtc(d, "s1", "in")).toBe(`hc/v1/dev/${d}/rtc/s1/in`);
    expect(topics.rtc(d, "s1", "out")).toBe(`hc/v1/dev/${d}/rtc/s1/out`);
  });

  it("throw E_VALIDATION on ids that could escape the subtree", () => {
    for (const bad of ["", "+", "#", "a/b", "$SYS", "a b", "x".repeat(65), "é"]) {
      expect(() => topics.status(bad)).toThrow(ApiError);
      expect(() => topics.req(THUMBPRINT, bad)).toThrow(/request id/);
      expect(() => topics.rtc(THUMBPRINT, bad, "in")).toThrow(ApiError);
    }
    expect(() => topics.evt(THUMBPRINT, "Event")).toThrow(ApiError);
    expect(() => topics.rtc(THUMBPRINT, "s", "up" as "in")).toThrow(ApiError);
    try {
      topics.telemetry("a/b");
    } catch (err) {
      expect((err as ApiError).code).toBe("E_VALIDATION");
    }
  });
});

describe("parseTopic", () => {
  it("parses each kind", () => {
    const d = THUMBPRINT;
    expect(parseTopic(`hc/v1/dev/${d}/status`)).toEqual({ kind: "status", deviceId: d });
    expect(parseTopic(`hc/v1/dev/${d}/evt/recording.ready`)).toEqual({
      kind: "evt",
      deviceId: d,
      eventKind: "recording.ready",
    });
    expect(parseTopic(`hc/v1/dev/${d}/rtc/abc/out`)).toEqual({
      kind: "rtc",
      deviceId: d,
      sessionId: "abc",
      dir: "out",
    });
    expect(parseTopic(`hc/v1/dev/${d}/res/R_1-x`)).toEqual({ kind: "res", deviceId: d, requestId: "R_1-x" });
  });

  it("returns null for wildcards, system topics, empty levels and unknown shapes", () => {
    const d = THUMBPRINT;
    const bad = [
      "",
      "/",
      "hc",
      "hc/v1/dev",
      `hc/v1/dev/${d}`,
      `hc/v1/dev/${d}/`,
      `hc/v2/dev/${d}/status`,
      `HC/v1/dev/${d}/status`,
      `/hc/v1/dev/${d}/status`,
      `$SYS/v1/dev/${d}/status`,
      `hc/v1/dev/+/status`,
      `hc/v1/dev/#`,
      `hc/v1/dev/${d}/#`,
      `hc/v1/dev/${d}/status/`,
      `hc/v1/dev/${d}/status/extra`,
      `hc/v1/dev/${d}/telemetry/x`,
      `hc/v1/dev/${d}/evt`,
      `hc/v1/dev/${d}/evt/`,
      `hc/v1/dev/${d}/evt/+`,
      `hc/v1/dev/${d}/evt/Motion`,
      `hc/v1/dev/${d}/evt/${"a".repeat(33)}`,
      `hc/v1/dev/${d}/evt/a/b`,
      `hc/v1/dev/${d}/req`,
      `hc/v1/dev/${d}/req/+`,
      `hc/v1/dev/${d}/req/a$b`,
      `hc/v1/dev/${d}/req/${"a".repeat(65)}`,
      `hc/v1/dev/${d}/res//`,
      `hc/v1/dev/${d}/rtc/s1`,
      `hc/v1/dev/${d}/rtc/s1/up`,
      `hc/v1/dev/${d}/rtc/+/in`,
      `hc/v1/dev/${d}/rtc/s1/in/x`,
      `hc/v1/dev//status`,
      `hc/v1/dev/${"a".repeat(65)}/status`,
      `hc/v1/dev/dév/status`,
      `hc/v1/dev/a\u0000b/status`,
      `hc/v1/dev/${d}/cmd/x`,
    ];
    for (const topic of bad) expect(parseTopic(topic), topic).toBeNull();
    expect(parseTopic(undefined as unknown as string)).toBeNull();
    expect(parseTopic({ split: () => [] } as unknown as string)).toBeNull();
  });

  it("inverts the builders for every kind over random ids", () => {
    fc.assert(
      fc.property(parsedTopicArb, (parsed) => {
        expect(parseTopic(buildTopic(parsed))).toStrictEqual(parsed);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary strings, and what it accepts rebuilds to the same topic", () => {
    const levels = fc.constantFrom(
      "hc",
      "v1",
      "dev",
      "status",
      "evt",
      "req",
      "res",
      "rtc",
      "in",
      "out",
      "+",
      "#",
      "",
    );
    const topicLike = fc
      .array(fc.oneof(levels, fc.string(), tokenArb), { maxLength: 8 })
      .map((l) => l.join("/"));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ maxLength: 300 }), topicLike),
        (topic) => {
          const parsed = parseTopic(topic);
          if (parsed !== null) expect(buildTopic(parsed)).toBe(topic);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("direction", () => {
  it("is down only for req and rtc in", () => {
    const d = THUMBPRINT;
    const dirs = Object.fromEntries(
      [
        topics.status(d),
        topics.telemetry(d),
        topics.evt(d, "event.ended"),
        topics.req(d, "r"),
        topics.res(d, "r"),
        topics.rtc(d, "s", "in"),
        topics.rtc(d, "s", "out"),
      ].map((t) => [t.slice(`hc/v1/dev/${d}/`.length), direction(parseTopic(t)!)]),
    );
    expect(dirs).toEqual({
      status: "up",
      telemetry: "up",
      "evt/event.ended": "up",
      "req/r": "down",
      "res/r": "up",
      "rtc/s/in": "down",
      "rtc/s/out": "up",
    });
  });
});

describe("filters", () => {
  it("cover the device subtree and the device's own subscriptions", () => {
    expect(deviceSubtreeFilter("dev1")).toBe("hc/v1/dev/dev1/#");
    expect(deviceSubscriptions("dev1")).toEqual(["hc/v1/dev/dev1/req/+", "hc/v1/dev/dev1/rtc/+/in"]);
    expect(() => deviceSubtreeFilter("+")).toThrow(ApiError);
    expect(() => deviceSubscriptions("#")).toThrow(ApiError);
  });

  it("match exactly the topics of their direction", () => {
    // A tiny MQTT matcher [MQTT-4.7.1] to check the filters against parsed topics.
    const matches = (filter: string, topic: string) => {
      const f = filter.split("/");
      const t = topic.split("/");
      for (let i = 0; i < f.length; i++) {
        if (f[i] === "#") return true;
        if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
      }
      return f.length === t.length;
    };
    fc.assert(
      fc.property(parsedTopicArb, (parsed) => {
        const topic = buildTopic(parsed);
        const down = direction(parsed) === "down";
        expect(matches(deviceSubtreeFilter(parsed.deviceId), topic)).toBe(true);
        expect(deviceSubscriptions(parsed.deviceId).some((f) => matches(f, topic))).toBe(down);
        expect(CLOUD_SUBSCRIPTIONS.some((f) => matches(f, topic))).toBe(!down);
      }),
    );
  });
});

describe("id schemas", () => {
  it("accept a JWK thumbprint and reject wildcards", () => {
    expect(deviceIdSchema.parse(THUMBPRINT)).toBe(THUMBPRINT);
    expect(deviceIdSchema.safeParse("a+b").success).toBe(false);
    expect(requestIdSchema.safeParse("a/b").success).toBe(false);
    expect(eventKindSchema.safeParse("event.started").success).toBe(true);
    expect(eventKindSchema.safeParse("Event").success).toBe(false);
  });
});

describe("messageTypesFor", () => {
  it("allows only the types that belong on a topic", () => {
    const d = THUMBPRINT;
    const types = (t: string) => messageTypesFor(parseTopic(t)!);
    expect(types(topics.status(d))).toEqual(["device.status"]);
    expect(types(topics.evt(d, "event.started"))).toEqual(["event.started"]);
    expect(types(topics.evt(d, "command"))).toEqual([]);
    expect(types(topics.evt(d, "no-such-kind"))).toEqual([]);
    expect(types(topics.req(d, "r"))).toEqual(["command"]);
    expect(types(topics.res(d, "r"))).toEqual(["command.result"]);
    expect(types(topics.rtc(d, "s", "in"))).toEqual(["rtc.offer", "rtc.candidate", "rtc.close"]);
    expect(types(topics.rtc(d, "s", "out"))).toEqual(["rtc.answer", "rtc.candidate", "rtc.close"]);
  });
});
