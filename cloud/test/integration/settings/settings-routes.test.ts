import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPin } from "../../../src/settings/pin-hash.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

const DEFAULTS = {
  notificationsEnabled: true,
  emailNotifications: true,
  defaultMotionSensitivity: 50,
  recordingQuality: "medium",
  storageDays: 30,
  appLock: { enabled: false, pinSet: false },
};

describe.each(TEST_DIALECTS)("settings routes on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let alice: string;
  let bob: string;
  let aliceKey: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database);
    alice = await app.createUser();
    bob = await app.createUser();
    aliceKey = (await app.keys.create(alice, { name: "integration" })).secret;
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const as = (userId: string) => app.bearer(userId);
  const get = async (userId: string) =>
    (await call(app.url, "GET", "/api/settings", { auth: as(userId) })).body.data;

  it("answers 401 to anonymous and forged callers on every route, before looking at the body", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/settings"],
      ["PUT", "/api/settings"],
      ["GET", "/api/settings/storageDays"],
      ["PUT", "/api/settings/storageDays"],
      ["POST", "/api/settings/reset"],
      ["POST", "/api/settings/export"],
      ["POST", "/api/settings/import"],
    ];
    for (const [method, path] of routes) {
      for (const auth of [undefined, "Bearer nonsense", `Bearer hc_${"A".repeat(43)}`]) {
        const body = method === "GET" ? undefined : { storageDays: "not a number" };
        const r = await call(app.url, method, path, { auth, body });
        expect(r.status, `${method} ${path} ${auth}`).toBe(401);
        expect(r.body.error?.code).toBe("E_UNAUTHORIZED");
      }
    }
  });

  it("answers the defaults to a user who never changed anything", async () => {
    const r = await call(app.url, "GET", "/api/settings", { auth: as(bob) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, data: { ...DEFAULTS, updatedAt: null } });
  });

  it("PUT changes only the keys given, and only the caller's settings", async () => {
    const r = await call(app.url, "PUT", "/api/settings", {
      auth: as(alice),
      body: { storageDays: 7, recordingQuality: "high" },
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      ...DEFAULTS,
      storageDays: 7,
      recordingQuality: "high",
      updatedAt: expect.any(Number),
    });
    expect(await get(alice)).toEqual(r.body.data);
    const r2 = await call(app.url, "PUT", "/api/settings", {
      auth: as(alice),
      body: { notificationsEnabled: false },
    });
    expect(r2.body.data).toMatchObject({
      storageDays: 7,
      recordingQuality: "high",
      notificationsEnabled: false,
    });
    expect(await get(bob)).toEqual({ ...DEFAULTS, updatedAt: null });
  });

  it.each([
    [{ defaultMotionSensitivity: 0 }],
    [{ defaultMotionSensitivity: 101 }],
    [{ recordingQuality: "4k" }],
    [{ storageDays: -1 }],
    [{ somethingElse: 1 }],
    [{ appLock: { pin: "12" } }],
    [[1, 2]],
  ])("PUT refuses %j with 400 and changes nothing", async (body) => {
    const before = await get(alice);
    const r = await call(app.url, "PUT", "/api/settings", { auth: as(alice), body });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("E_VALIDATION");
    expect(await get(alice)).toEqual(before);
  });

  it("GET/PUT /api/settings/:key read and write one value, checked against that key's type", async () => {
    const put = await call(app.url, "PUT", "/api/settings/defaultMotionSensitivity", {
      auth: as(alice),
      body: { value: 80 },
    });
    expect(put.body).toEqual({ ok: true, data: { key: "defaultMotionSensitivity", value: 80 } });
    const got = await call(app.url, "GET", "/api/settings/defaultMotionSensitivity", { auth: as(alice) });
    expect(got.body.data).toEqual({ key: "defaultMotionSensitivity", value: 80 });
    expect((await call(app.url, "GET", "/api/settings/appLock", { auth: as(alice) })).body.data).toEqual({
      key: "appLock",
      value: { enabled: false, pinSet: false },
    });
    for (const [key, value] of [
      ["defaultMotionSensitivity", "80"],
      ["recordingQuality", true],
      ["emailNotifications", 1],
      ["storageDays", 0],
    ] as const) {
      const r = await call(app.url, "PUT", `/api/settings/${key}`, { auth: as(alice), body: { value } });
      expect(r.status, key).toBe(400);
    }
    const unknown = await call(app.url, "GET", "/api/settings/password", { auth: as(alice) });
    expect(unknown.status).toBe(400);
    expect(await get(bob)).toMatchObject({ defaultMotionSensitivity: 50 });
  });

  it("the app lock needs a PIN, stores it hashed, and never answers it", async () => {
    const noPin = await call(app.url, "PUT", "/api/settings", {
      auth: as(alice),
      body: { appLock: { enabled: true } },
    });
    expect(noPin.status).toBe(400);
    const on = await call(app.url, "PUT", "/api/settings/appLock", {
      auth: as(alice),
      body: { value: { enabled: true, pin: "04711" } },
    });
    expect(on.body.data).toEqual({ key: "appLock", value: { enabled: true, pinSet: true } });
    const stored = await app.settings.stored(alice);
    expect(stored.pinHash).toMatch(/^scrypt\$/);
    expect(await verifyPin("04711", stored.pinHash!)).toBe(true);
    for (const path of ["/api/settings", "/api/settings/appLock"]) {
      expect(JSON.stringify((await call(app.url, "GET", path, { auth: as(alice) })).body)).not.toMatch(
        /04711|scrypt/,
      );
    }
    const exported = await call(app.url, "POST", "/api/settings/export", { auth: as(alice) });
    expect(JSON.stringify(exported.body)).not.toMatch(/04711|scrypt|pin"/i);
  });

  it("an API key may change ordinary settings but not the app lock, reset or import", async () => {
    const key = `Bearer ${aliceKey}`;
    const ok = await call(app.url, "PUT", "/api/settings", {
      auth: key,
      body: { emailNotifications: false },
    });
    expect(ok.status).toBe(200);
    expect((await call(app.url, "GET", "/api/settings", { auth: key })).body.data.emailNotifications).toBe(
      false,
    );
    const lock = await call(app.url, "PUT", "/api/settings", {
      auth: key,
      body: { appLock: { enabled: false } },
    });
    expect(lock.status).toBe(403);
    const lockKey = await call(app.url, "PUT", "/api/settings/appLock", {
      auth: key,
      body: { value: { enabled: false } },
    });
    expect(lockKey.status).toBe(403);
    expect((await call(app.url, "POST", "/api/settings/reset", { auth: key })).status).toBe(403);
    const file = (await call(app.url, "POST", "/api/settings/export", { auth: key })).body.data;
    expect((await call(app.url, "POST", "/api/settings/import", { auth: key, body: file })).status).toBe(403);
    expect((await get(alice)).appLock).toEqual({ enabled: true, pinSet: true });
  });

  it("export is a versioned file that imports into another account; the PIN stays behind", async () => {
    const r = await call(app.url, "POST", "/api/settings/export", { auth: as(alice) });
    expect(r.status).toBe(200);
    const file = r.body.data;
    expect(file).toEqual({
      version: 1,
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      settings: {
        notificationsEnabled: false,
        emailNotifications: false,
        defaultMotionSensitivity: 80,
        recordingQuality: "high",
        storageDays: 7,
        appLock: { enabled: true },
      },
    });
    // Bob has no PIN, so a file asking for the lock on is refused as a whole…
    const before = await get(bob);
    const refused = await call(app.url, "POST", "/api/settings/import", { auth: as(bob), body: file });
    expect(refused.status).toBe(400);
    expect(await get(bob)).toEqual(before);
    // …and accepted with the lock off.
    const lockOff = { ...file, settings: { ...file.settings, appLock: { enabled: false } } };
    const imported = await call(app.url, "POST", "/api/settings/import", { auth: as(bob), body: lockOff });
    expect(imported.status).toBe(200);
    expect(imported.body.data).toEqual({
      ...file.settings,
      appLock: { enabled: false, pinSet: false },
      updatedAt: expect.any(Number),
    });
    // Alice re-importing her own file keeps her PIN.
    const own = await call(app.url, "POST", "/api/settings/import", { auth: as(alice), body: file });
    expect(own.body.data.appLock).toEqual({ enabled: true, pinSet: true });
  });

  it.each([
    ["another version", (f: Record<string, unknown>) => ({ ...f, version: 2 })],
    ["no version", ({ version: _, ...f }: Record<string, unknown>) => f],
    [
      "a value out of range",
      (f: { settings: object }) => ({ ...f, settings: { ...f.settings, storageDays: 99999 } }),
    ],
    ["an unknown key", (f: { settings: object }) => ({ ...f, settings: { ...f.settings, theme: "dark" } })],
    [
      "a PIN inside",
      (f: { settings: object }) => ({
        ...f,
        settings: { ...f.settings, appLock: { enabled: true, pin: "1234" } },
      }),
    ],
    ["not an object", () => "settings"],
  ])("an import with %s changes nothing", async (_what, mutate) => {
    const file = (await call(app.url, "POST", "/api/settings/export", { auth: as(bob) })).body.data;
    const changed = { ...file, settings: { ...file.settings, storageDays: 3 } };
    const before = await get(bob);
    const r = await call(app.url, "POST", "/api/settings/import", {
      auth: as(bob),
      body: (mutate as (f: unknown) => unknown)(changed),
    });
    expect(r.status).toBe(400);
    // A JSON string is refused by the body parser (E_BAD_REQUEST), the rest by the schema.
    expect(["E_VALIDATION", "E_BAD_REQUEST"]).toContain(r.body.error?.code);
    expect(await get(bob)).toEqual(before);
  });

  it("reset puts every default back and forgets the PIN", async () => {
    const r = await call(app.url, "POST", "/api/settings/reset", { auth: as(alice) });
    expect(r.body).toEqual({ ok: true, data: { ...DEFAULTS, updatedAt: null } });
    expect(await get(alice)).toEqual({ ...DEFAULTS, updatedAt: null });
    expect((await app.settings.stored(alice)).pinHash).toBeNull();
    expect(await get(bob)).toMatchObject({ storageDays: 7 });
  });

  it("a deactivated user's settings are out of reach, by token and by API key", async () => {
    const carol = await app.createUser();
    const carolKey = (await app.keys.create(carol, { name: "k" })).secret;
    await app.setActive(carol, false);
    expect((await call(app.url, "GET", "/api/settings", { auth: as(carol) })).status).toBe(401);
    expect((await call(app.url, "GET", "/api/settings", { auth: `Bearer ${carolKey}` })).status).toBe(401);
  });

  it("concurrent changes of different keys are all kept", async () => {
    const dave = await app.createUser();
    const bodies = [
      { notificationsEnabled: false },
      { emailNotifications: false },
      { defaultMotionSensitivity: 11 },
      { recordingQuality: "low" },
      { storageDays: 12 },
    ];
    await Promise.all(bodies.map((body) => call(app.url, "PUT", "/api/settings", { auth: as(dave), body })));
    expect(await get(dave)).toMatchObject(Object.assign({}, ...bodies));
  });
});
