import { Agent, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";
import { type RawRequest, rawRequest } from "./raw-request.js";
import {
  bodyArbitrary,
  headersArbitrary,
  type OpenApiDoc,
  pathArbitrary,
  queryArbitrary,
} from "./request-arbitraries.js";

// Property-based fuzzing of EVERY route in the registry (read at run time, so routes added by any
// module are covered without touching this file): random path parameters, query strings,
// headers (credentials, content types) and bodies, valid-shaped and garbage. Properties: no 5xx,
// and every answer is JSON that validates against the OpenAPI document's schema for its status.
//
// Passes: anonymous, a user's access token, a user's API key, an admin's access token — real
// credentials through the accounts module's authenticator (the feature app composes the app as
// main.ts does, so the accounts routes are fuzzed too).

const RUNS = Number(process.env.HOMECAM_FUZZ_RUNS ?? 30);
const SEED = process.env.HOMECAM_FUZZ_SEED ? Number(process.env.HOMECAM_FUZZ_SEED) : undefined;
/** Print the statuses answered per route (to check the fuzzer gets past authentication and validation). */
const STATS = process.env.HOMECAM_FUZZ_STATS === "1";

const PASSES = ["anonymous", "user (access token)", "user (API key)", "admin (access token)"] as const;
type PassName = (typeof PASSES)[number];

interface Pass {
  name: PassName;
  /** The pass's own credential (an Authorization value), or none. */
  auth: string | undefined;
  runs: number;
  /** A fresh credential: the fuzzer may have signed the session out (POST /api/auth/logout). */
  renew?: () => Promise<string>;
}

describe.each(TEST_DIALECTS)("fuzzing every route on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let doc: OpenApiDoc;
  let passes: Record<PassName, Pass>;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const validators = new Map<string, ValidateFunction>();
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats.default(ajv);
  const ids: string[] = [];

  /** Credentials of each pass: real access tokens (a signed-in session each) and an API key. */
  async function credentials(): Promise<Record<PassName, Pass>> {
    const user = await app.createUser();
    const keyOwner = await app.createUser();
    const admin = await app.createUser({ role: "admin" });
    const other = await app.createUser();
    // Objects for "known id" path parameters: own and someone else's.
    for (const owner of [user, other, keyOwner]) {
      ids.push((await app.tickets.create(owner, { subject: "fuzz", message: "fuzz" })).id);
      ids.push((await app.keys.create(owner, { name: "fuzz" })).key.id);
    }
    const { secret } = await app.keys.create(keyOwner, { name: "fuzz pass" });
    const pass = (name: PassName, auth: string | undefined, userId?: string): Pass => ({
      name,
      auth,
      runs: auth ? RUNS : Math.ceil(RUNS / 2),
      ...(userId ? { renew: () => app.signIn(userId) } : {}),
    });
    return {
      anonymous: pass("anonymous", undefined),
      "user (access token)": pass("user (access token)", app.bearer(user), user),
      "user (API key)": pass("user (API key)", `Bearer ${secret}`),
      "admin (access token)": pass("admin (access token)", app.bearer(admin), admin),
    };
  }

  // Google sign-in configured against a local, empty key set: every ID token is refused (4xx)
  // without the test reaching the internet — unconfigured, the route answers 501 by design.
  let jwks: Server;

  beforeAll(async () => {
    jwks = createServer((_req, res) => res.setHeader("content-type", "application/json").end('{"keys":[]}'));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database, {
      config: { auth: { google: { clientId: "fuzz.apps.example", jwksUrl } } },
    });
    doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as OpenApiDoc;
    passes = await credentials();
  });
  afterAll(async () => {
    agent.destroy();
    await app?.close();
    await database?.dispose();
    await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()));
  });

  function validatorFor(path: string, method: string, status: number): ValidateFunction | string {
    const key = `${method} ${path} ${status}`;
    const cached = validators.get(key);
    if (cached) return cached;
    const response = doc.paths[path]?.[method]?.responses[String(status)];
    const schema = response?.content?.["application/json"]?.schema;
    if (!schema) return `status ${status} is not documented for ${method.toUpperCase()} ${path}`;
    const v = ajv.compile(schema);
    validators.set(key, v);
    return v;
  }

  it("the registry and the OpenAPI document list the same routes", () => {
    const routes = app.registry.routes;
    expect(routes.length).toBeGreaterThanOrEqual(17);
    for (const r of routes) {
      expect(
        doc.paths[r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")]?.[r.method],
        `${r.method} ${r.path}`,
      ).toBeDefined();
    }
  });

  for (const passName of PASSES) {
    it(`${passName}: no 5xx, and every answer matches the OpenAPI document`, {
      timeout: 120_000,
    }, async () => {
      const pass = passes[passName];
      const base = new URL(app.url);
      const routes = app.registry.routes;
      const literals = new Set(
        routes.flatMap((r) => r.path.split("/").filter((s) => s && !s.startsWith(":"))),
      );
      const statuses = new Map<number, number>();
      for (const route of routes) {
        if (pass.renew) pass.auth = await pass.renew();
        const perRoute = new Map<number, number>();
        const oaPath = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
        const op = doc.paths[oaPath]![route.method]!;
        const requestArb = fc
          .record({
            path: pathArbitrary(route, op, () => ids, literals),
            query: queryArbitrary(op),
            headers: headersArbitrary(pass.auth),
            body: bodyArbitrary(op, app.config.http.bodyLimitKB * 1024),
          })
          .map(
            ({ path, query, headers, body }): RawRequest => ({
              method: route.method.toUpperCase(),
              target: query ? `${path}?${query}` : path,
              headers,
              body,
            }),
          );
        await fc.assert(
          fc.asyncProperty(requestArb, async (req) => {
            const res = await rawRequest(base, req, agent);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            perRoute.set(res.status, (perRoute.get(res.status) ?? 0) + 1);
            const where = `[${pass.name}] ${req.method} ${req.target} → ${res.status} ${res.text.slice(0, 300)}`;
            expect(res.status, where).toBeLessThan(500);
            expect(res.contentType, where).toMatch(/^application\/json/);
            const validate = validatorFor(oaPath, route.method, res.status);
            if (typeof validate === "string") expect.fail(`${where}: ${validate}`);
            const ok = validate(JSON.parse(res.text));
            if (!ok) expect.fail(`${where}: ${ajv.errorsText(validate.errors)}`);
          }),
          { numRuns: pass.runs, ...(SEED !== undefined ? { seed: SEED } : {}) },
        );
        if (STATS)
          console.log(
            `[${dialect}] [${pass.name}] ${route.method.toUpperCase()} ${route.path}`,
            Object.fromEntries(perRoute),
          );
      }
      // The pass must reach handlers, not only bounce off authentication or validation.
      if (pass.auth) expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    });
  }
});
