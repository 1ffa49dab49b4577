import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// One test per bug the route fuzzer found, named after what broke.
describe.each(TEST_DIALECTS)("fuzzer regressions on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  it("a path parameter with a malformed percent-encoding is 400 E_BAD_REQUEST, not 500", async () => {
    const user = await app.createUser();
    for (const target of ["/api/tickets/%", "/api/api-keys/%zz", "/api/settings/%C0"]) {
      for (const auth of [undefined, app.bearer(user)]) {
        const method = target.startsWith("/api/api-keys") ? "DELETE" : "GET";
        const r = await call(app.url, method, target, { auth });
        expect(r.status, target).toBe(400);
        expect(r.body.error?.code).toBe("E_BAD_REQUEST");
      }
    }
  });
});
