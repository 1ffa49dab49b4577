import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envelopeSchema, errorEnvelopeSchema, fail, ok, okEnvelopeSchema } from "../../src/envelope.js";
import { ERROR_CODES } from "../../src/errors.js";

const user = z.object({ id: z.string(), name: z.string() });

describe("ok / fail builders", () => {
  it("build the seed's shapes, omitting absent optional members", () => {
    expect(ok({ id: "1" })).toStrictEqual({ ok: true, data: { id: "1" } });
    expect(ok(null, "done")).toStrictEqual({ ok: true, data: null, message: "done" });
    expect(fail("E_NOT_FOUND", "User not found")).toStrictEqual({
      ok: false,
      error: { code: "E_NOT_FOUND", message: "User not found" },
    });
    expect(fail("E_VALIDATION", "bad", [{ path: "name" }])).toStrictEqual({
      ok: false,
      error: { code: "E_VALIDATION", message: "bad", details: [{ path: "name" }] },
    });
  });

  it("produce envelopes their schemas accept, for any data and code", () => {
    const schema = envelopeSchema(z.unknown());
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.string(), { nil: undefined }), (data, message) => {
        const env = ok(data, message);
        expect(schema.parse(env)).toEqual(env);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ERROR_CODES), fc.string(), fc.jsonValue(), (code, message, details) => {
        const env = fail(code, message, details);
        expect(errorEnvelopeSchema.parse(env)).toEqual(env);
        expect(schema.parse(env)).toEqual(env);
      }),
    );
  });
});

describe("envelope schemas", () => {
  const schema = envelopeSchema(user);

  it("validate data against the data schema", () => {
    const good = { ok: true, data: { id: "u1", name: "Ann" } };
    expect(schema.parse(good)).toEqual(good);
    expect(okEnvelopeSchema(user).safeParse({ ok: true, data: { id: 1, name: "Ann" } }).success).toBe(false);
  });

  it("narrow on ok", () => {
    const parsed = schema.parse({ ok: false, error: { code: "E_FORBIDDEN", message: "no" } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe("E_FORBIDDEN");
  });

  it("reject unknown codes, missing members and mixed shapes", () => {
    const bad = [
      { ok: false, error: { code: "E_WHATEVER", message: "x" } },
      { ok: false, error: { code: "E_NOT_FOUND" } },
      { ok: false },
      { ok: true },
      { ok: "true", data: { id: "u1", name: "Ann" } },
      { data: { id: "u1", name: "Ann" } },
      { ok: true, data: { id: "u1", name: "Ann" }, message: 5 },
      null,
      "ok",
    ];
    for (const value of bad) expect(schema.safeParse(value).success).toBe(false);
  });

  it("ignore members added by a newer server", () => {
    const parsed = schema.parse({ ok: true, data: { id: "u1", name: "Ann" }, traceId: "t" });
    expect(parsed).toEqual({ ok: true, data: { id: "u1", name: "Ann" } });
  });
});
