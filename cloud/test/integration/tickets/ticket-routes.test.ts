import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

describe.each(TEST_DIALECTS)("ticket routes on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let now = 1_800_000_000_000;
  let alice: string;
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database, { now: () => now });
    alice = await app.createUser();
    bob = await app.createUser();
    admin = await app.createUser({ role: "admin" });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const open = async (userId: string, subject: string) => {
    now += 1;
    const r = await call(app.url, "POST", "/api/tickets", {
      auth: app.bearer(userId),
      body: { subject, message: `details of ${subject}` },
    });
    expect(r.status).toBe(201);
    return r.body.data as { id: string; subject: string };
  };

  it("refuses anonymous callers (401) and users on admin routes (403), before validating", async () => {
    const routes: [string, string][] = [
      ["POST", "/api/tickets"],
      ["GET", "/api/tickets"],
      ["GET", "/api/tickets/abc"],
      ["GET", "/api/admin/tickets"],
      ["PATCH", "/api/admin/tickets/abc"],
    ];
    for (const [method, path] of routes) {
      const r = await call(app.url, method, path, {
        body: method === "GET" ? undefined : { status: "bogus" },
      });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
    for (const [method, path] of routes.filter(([, p]) => p.startsWith("/api/admin"))) {
      const body = method === "GET" ? undefined : { status: "bogus" };
      const r = await call(app.url, method, path, { auth: app.bearer(alice), body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error?.code).toBe("E_FORBIDDEN");
    }
  });

  it("opens a ticket and shows it to its author", async () => {
    const r = await call(app.url, "POST", "/api/tickets", {
      auth: app.bearer(alice),
      body: { subject: "  Camera offline ", message: "Since yesterday." },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      ok: true,
      message: "ticket opened",
      data: {
        id: expect.any(String),
        subject: "Camera offline",
        message: "Since yesterday.",
        status: "open",
        adminResponse: null,
        createdAt: now,
        updatedAt: now,
        resolvedAt: null,
      },
    });
    const got = await call(app.url, "GET", `/api/tickets/${r.body.data.id}`, { auth: app.bearer(alice) });
    expect(got.body.data).toEqual(r.body.data);
  });

  it.each([
    [{}],
    [{ subject: "", message: "m" }],
    [{ subject: "s", message: " " }],
    [{ subject: "x".repeat(201), message: "m" }],
    [{ subject: "s", message: "m", status: "closed" }],
  ])("refuses to open %j", async (body) => {
    const r = await call(app.url, "POST", "/api/tickets", { auth: app.bearer(alice), body });
    expect(r.status).toBe(400);
  });

  it("a user never reads another user's tickets: not in the list, 404 by id (like a missing one)", async () => {
    const mine = await open(bob, "bob's question");
    const theirs = await call(app.url, "GET", `/api/tickets/${mine.id}`, { auth: app.bearer(alice) });
    const missing = await call(app.url, "GET", "/api/tickets/doesnotexist", { auth: app.bearer(alice) });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(missing.body);
    const aliceList = await call(app.url, "GET", "/api/tickets", { auth: app.bearer(alice) });
    expect(aliceList.body.data.tickets.map((t: { id: string }) => t.id)).not.toContain(mine.id);
    expect((await call(app.url, "GET", "/api/tickets/bad%20id!", { auth: app.bearer(alice) })).status).toBe(
      400,
    );
  });

  it("lists newest first with keyset pagination", async () => {
    const erin = await app.createUser();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await open(erin, `q${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const r = await call(app.url, "GET", `/api/tickets${qs}`, { auth: app.bearer(erin) });
      expect(r.status).toBe(200);
      expect(r.body.data.tickets.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data.tickets.map((t: { subject: string }) => t.subject));
      cursor = r.body.data.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["q4", "q3", "q2", "q1", "q0"]);
    for (const bad of ["?limit=0", "?limit=201", "?limit=abc", "?cursor=nope", "?status=done", "?other=1"]) {
      expect((await call(app.url, "GET", `/api/tickets${bad}`, { auth: app.bearer(erin) })).status, bad).toBe(
        400,
      );
    }
  });

  it("an administrator lists, answers and resolves; resolvedAt follows the status", async () => {
    const t = await open(alice, "lights flicker");
    const all = await call(app.url, "GET", "/api/admin/tickets?status=open&limit=200", {
      auth: app.bearer(admin),
    });
    expect(all.status).toBe(200);
    const listed = all.body.data.tickets.find((x: { id: string }) => x.id === t.id);
    expect(listed).toMatchObject({ userId: alice, adminId: null, status: "open" });
    expect(all.body.data.tickets.every((x: { status: string }) => x.status === "open")).toBe(true);
    const authors = all.body.data.tickets.map((x: { userId: string }) => x.userId);
    expect(authors).toContain(alice);
    expect(authors).toContain(bob);

    const patch = (body: unknown) =>
      call(app.url, "PATCH", `/api/admin/tickets/${t.id}`, { auth: app.bearer(admin), body });
    now += 10;
    const progress = await patch({ status: "in_progress", response: "Looking into it." });
    expect(progress.body.data).toMatchObject({
      status: "in_progress",
      adminResponse: "Looking into it.",
      adminId: admin,
      resolvedAt: null,
      updatedAt: now,
    });
    now += 10;
    const resolvedAt = now;
    const resolved = await patch({ status: "resolved", response: "Firmware updated." });
    expect(resolved.body.data).toMatchObject({
      status: "resolved",
      adminResponse: "Firmware updated.",
      resolvedAt,
    });
    now += 10;
    const closed = await patch({ status: "closed" });
    expect(closed.body.data).toMatchObject({
      status: "closed",
      adminResponse: "Firmware updated.",
      resolvedAt,
    });
    const author = await call(app.url, "GET", `/api/tickets/${t.id}`, { auth: app.bearer(alice) });
    expect(author.body.data).toEqual({
      id: t.id,
      subject: "lights flicker",
      message: "details of lights flicker",
      status: "closed",
      adminResponse: "Firmware updated.",
      createdAt: expect.any(Number),
      updatedAt: now,
      resolvedAt,
    });
    expect(author.body.data).not.toHaveProperty("adminId");
    now += 10;
    expect((await patch({ status: "open" })).body.data).toMatchObject({ status: "open", resolvedAt: null });

    expect((await patch({ status: "done" })).status).toBe(400);
    expect((await patch({ response: "no status" })).status).toBe(400);
    const missing = await call(app.url, "PATCH", "/api/admin/tickets/nosuchticket", {
      auth: app.bearer(admin),
      body: { status: "closed" },
    });
    expect(missing.status).toBe(404);
  });

  it("API keys reach the user's own tickets but not the admin routes", async () => {
    const { secret } = await app.keys.create(alice, { name: "k" });
    const auth = `Bearer ${secret}`;
    expect(
      (await call(app.url, "POST", "/api/tickets", { auth, body: { subject: "via key", message: "m" } }))
        .status,
    ).toBe(201);
    expect((await call(app.url, "GET", "/api/tickets", { auth })).status).toBe(200);
    const { secret: adminSecret } = await app.keys.create(admin, { name: "k" });
    expect((await call(app.url, "GET", "/api/admin/tickets", { auth: `Bearer ${adminSecret}` })).status).toBe(
      403,
    );
  });

  it("caps the open tickets per user", async () => {
    const frank = await app.createUser();
    for (let i = 0; i < 20; i++) await open(frank, `t${i}`);
    const r = await call(app.url, "POST", "/api/tickets", {
      auth: app.bearer(frank),
      body: { subject: "s", message: "m" },
    });
    expect(r.status).toBe(409);
  });
});
