import { CLOUD_SUBSCRIPTIONS, deviceSubscriptions, topics } from "@homecam/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BrokerPrincipal, mayPublish, maySubscribe } from "../../../src/broker/acl.js";

const A = "A".repeat(43);
const B = `${"b".repeat(42)}_`;
const devA: BrokerPrincipal = { kind: "device", deviceId: A };
const service: BrokerPrincipal = { kind: "service" };

describe("broker ACL: table", () => {
  const publishTable: [BrokerPrincipal, string, boolean][] = [
    [devA, topics.status(A), true],
    [devA, topics.telemetry(A), true],
    [devA, topics.evt(A, "event.started"), true],
    [devA, topics.res(A, "r1"), true],
    [devA, topics.rtc(A, "s1", "out"), true],
    [devA, topics.req(A, "r1"), false],
    [devA, topics.rtc(A, "s1", "in"), false],
    [devA, topics.status(B), false],
    [devA, topics.telemetry(B), false],
    [devA, `hc/v1/dev/${A}/#`, false],
    [devA, `hc/v1/dev/+/status`, false],
    [devA, `hc/v1/dev/${A}/status/x`, false],
    [devA, `$SYS/broker/uptime`, false],
    [devA, `hc/v2/dev/${A}/status`, false],
    [devA, "", false],
    [service, topics.req(A, "r1"), true],
    [service, topics.rtc(B, "s1", "in"), true],
    [service, topics.status(A), false],
    [service, topics.res(A, "r1"), false],
    [service, `hc/v1/dev/+/req/r1`, false],
    [service, "$SYS/x", false],
  ];
  it.each(publishTable)("publish %j %s → %s", (p, topic, allowed) => {
    expect(mayPublish(p, topic)).toBe(allowed);
  });

  const subscribeTable: [BrokerPrincipal, string, boolean][] = [
    ...deviceSubscriptions(A).map((f): [BrokerPrincipal, string, boolean] => [devA, f, true]),
    [devA, `hc/v1/dev/${A}/req/r1`, true],
    [devA, `hc/v1/dev/${A}/rtc/s1/in`, true],
    [devA, `hc/v1/dev/${A}/rtc/+/out`, false],
    [devA, `hc/v1/dev/${A}/res/+`, false],
    [devA, `hc/v1/dev/${A}/status`, false],
    [devA, `hc/v1/dev/${A}/#`, false],
    [devA, `hc/v1/dev/${A}/req/#`, false],
    [devA, `hc/v1/dev/${A}/+/+`, false],
    [devA, `hc/v1/dev/+/req/+`, false],
    [devA, `hc/v1/dev/${B}/req/+`, false],
    [devA, "#", false],
    [devA, "+/#", false],
    [devA, "$SYS/#", false],
    [devA, `$share/g/hc/v1/dev/${A}/req/+`, false],
    [devA, "", false],
    ...CLOUD_SUBSCRIPTIONS.map((f): [BrokerPrincipal, string, boolean] => [service, f, true]),
    [service, `hc/v1/dev/${A}/status`, true],
    [service, `hc/v1/dev/+/req/+`, false],
    [service, `hc/v1/dev/+/rtc/+/in`, false],
    [service, `hc/v1/dev/#`, false],
    [service, "#", false],
    [service, "$SYS/#", false],
  ];
  it.each(subscribeTable)("subscribe %j %s → %s", (p, filter, allowed) => {
    expect(maySubscribe(p, filter)).toBe(allowed);
  });
});

// Independent oracle: regular expressions written from DESIGN.md §5, not from acl.ts.
const ID = "[A-Za-z0-9_-]{1,64}";
const KIND = "[a-z0-9.-]{1,32}";
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function oracle(p: BrokerPrincipal, s: string, op: "pub" | "sub"): boolean {
  if (s.length > 256) return false;
  if (p.kind === "device") {
    const root = `hc/v1/dev/${esc(p.deviceId)}`;
    const re =
      op === "pub"
        ? new RegExp(`^${root}/(status|telemetry|evt/${KIND}|res/${ID}|rtc/${ID}/out)$`)
        : new RegExp(`^${root}/(req/(\\+|${ID})|rtc/(\\+|${ID})/in)$`);
    return re.test(s);
  }
  const re =
    op === "pub"
      ? new RegExp(`^hc/v1/dev/${ID}/(req/${ID}|rtc/${ID}/in)$`)
      : new RegExp(
          `^hc/v1/dev/(\\+|${ID})/(status|telemetry|evt/(\\+|${KIND})|res/(\\+|${ID})|rtc/(\\+|${ID})/out)$`,
        );
  return re.test(s);
}

describe("broker ACL: property", () => {
  const ids = [A, B, "c", "x".repeat(64)];
  const level = fc.oneof(
    fc.constantFrom(
      "hc",
      "v1",
      "dev",
      "status",
      "telemetry",
      "evt",
      "req",
      "res",
      "rtc",
      "in",
      "out",
      "+",
      "#",
    ),
    fc.constantFrom("$SYS", "", "event.started", "r1", "HC", "v2", "..", " ", "é", "\u0000", "a+b", "a#"),
    fc.constantFrom(...ids),
    fc.string({ maxLength: 8 }),
    fc.stringMatching(/^[A-Za-z0-9_.-]{1,70}$/),
  );
  const structured = fc
    .tuple(fc.constantFrom(...ids, "+", "#", "", "$SYS"), fc.array(level, { maxLength: 5 }), fc.boolean())
    .map(([id, tail, rooted]) => (rooted ? ["hc", "v1", "dev", id, ...tail] : [id, ...tail]).join("/"));
  // Near-valid shapes: a valid topic or filter of the layout, then maybe one level replaced, added
  // or removed, so a good share of the runs lands on (and around) the allowed region.
  const shapes = [
    ["status"],
    ["telemetry"],
    ["evt", "event.started"],
    ["evt", "+"],
    ["req", "r1"],
    ["req", "+"],
    ["res", "r1"],
    ["res", "+"],
    ["rtc", "s1", "in"],
    ["rtc", "+", "in"],
    ["rtc", "s1", "out"],
    ["rtc", "+", "out"],
  ];
  const nearValid = fc
    .tuple(
      fc.constantFrom(A, A, A, ...ids, "+", "#"),
      fc.constantFrom(...shapes),
      fc.option(fc.tuple(fc.nat(7), level, fc.constantFrom("replace", "insert", "remove")), { freq: 2 }),
    )
    .map(([id, shape, mutation]) => {
      const levels = ["hc", "v1", "dev", id, ...shape];
      if (mutation) {
        const [at, value, how] = mutation;
        const i = at % (levels.length + 1);
        if (how === "replace") levels[i] = value;
        else if (how === "insert") levels.splice(i, 0, value);
        else levels.splice(i, 1);
      }
      return levels.join("/");
    });
  const topic = fc.oneof(
    nearValid,
    nearValid,
    structured,
    fc.string({ maxLength: 300 }),
    fc.array(level, { maxLength: 9 }).map((l) => l.join("/")),
  );
  const principal = fc.oneof(
    { arbitrary: fc.constant(devA), weight: 3 },
    fc.constantFrom(...ids).map((deviceId): BrokerPrincipal => ({ kind: "device", deviceId })),
    fc.constant(service),
  );

  it("10,000 random topics and filters × identities: no unexpected allow, never throws", () => {
    let unexpected = 0;
    let allowed = 0;
    fc.assert(
      fc.property(principal, topic, (p, t) => {
        for (const op of ["pub", "sub"] as const) {
          const got = op === "pub" ? mayPublish(p, t) : maySubscribe(p, t);
          const want = oracle(p, t, op);
          if (got && !want) unexpected++;
          if (got) allowed++;
          expect(got).toBe(want);
          if (got && p.kind === "device") {
            // Whatever is allowed stays inside the device's own subtree, wildcard-free above it.
            expect(t.startsWith(`hc/v1/dev/${p.deviceId}/`)).toBe(true);
            expect(t.includes("#")).toBe(false);
          }
        }
      }),
      { numRuns: 10_000 },
    );
    expect(unexpected).toBe(0);
    // The generator does reach the allowed region (otherwise the test would prove little).
    expect(allowed).toBeGreaterThan(100);
  });
});
