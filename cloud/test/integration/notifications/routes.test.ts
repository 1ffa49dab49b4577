import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type NotificationsStack, startNotificationsStack } from "./notifications-app.js";

const DAY = 86_400_000;

describe.each(TEST_DIALECTS)("notification routes (%s)", (dialect) => {
  let database: TestDatabase;
  let s: NotificationsStack;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    s = await startNotificationsStack(database);
  });
  afterAll(async () => {
    await s?.close();
    await database?.dispose();
  });

  const api = (user: string, method: string, path: string, body?: unknown) =>
    call(s.app.url, method, path, { auth: s.app.bearer(user), ...(body !== undefined ? { body } : {}) });
  const create = async (user: string, body: Record<string, unknown>) => {
    const res = await api(user, "POST", "/api/notifications", { title: "t", message: "m", ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data as { id: string; createdAt: string };
  };

  it("creates, reads, marks read, counts and deletes only the caller's own notifications", async () => {
    const alice = await s.app.createUser();
    const bob = await s.app.createUser();
    const n1 = await create(alice, {
      type: "maintenance",
      priority: "low",
      title: "Backup",
      message: "Done",
    });
    expect(n1).toMatchObject({
      userId: alice,
      type: "maintenance",
      priority: "low",
      title: "Backup",
      message: "Done",
      isRead: false,
      readAt: null,
      metadata: {},
    });
    const n2 = await create(alice, { type: "security", priority: "critical", metadata: { door: "front" } });
    expect((await api(alice, "GET", `/api/notifications/${n2.id}`)).body.data.metadata).toEqual({
      door: "front",
    });

    // Bob sees none of it: another user's id is the same 404 as an unknown one.
    for (const [method, path] of [
      ["GET", `/api/notifications/${n1.id}`],
      ["PUT", `/api/notifications/${n1.id}/read`],
      ["DELETE", `/api/notifications/${n1.id}`],
      ["GET", "/api/notifications/unknownid"],
    ] as const) {
      const res = await api(bob, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error?.code).toBe("E_NOT_FOUND");
    }
    expect((await api(bob, "GET", "/api/notifications")).body.data.notifications).toEqual([]);
    expect((await api(bob, "GET", "/api/notifications/unread-count")).body.data).toEqual({ count: 0 });
    expect((await api(bob, "PUT", "/api/notifications/read-all")).body.data).toEqual({ updated: 0 });

    expect((await api(alice, "GET", "/api/notifications/unread-count")).body.data).toEqual({ count: 2 });
    const read = await api(alice, "PUT", `/api/notifications/${n1.id}/read`);
    expect(read.body.data).toMatchObject({
      id: n1.id,
      isRead: true,
      readAt: new Date(s.clock.t).toISOString(),
    });
    s.clock.t += 1000;
    // Idempotent: the first read time stays.
    expect((await api(alice, "PUT", `/api/notifications/${n1.id}/read`)).body.data.readAt).toBe(
      read.body.data.readAt,
    );
    expect((await api(alice, "GET", "/api/notifications/unread-count")).body.data).toEqual({ count: 1 });
    expect(
      (await api(alice, "GET", "/api/notifications?unread=true")).body.data.notifications.map(
        (n: { id: string }) => n.id,
      ),
    ).toEqual([n2.id]);
    expect(
      (await api(alice, "GET", "/api/notifications?isRead=true")).body.data.notifications.map(
        (n: { id: string }) => n.id,
      ),
    ).toEqual([n1.id]);
    expect((await api(alice, "GET", "/api/notifications?isRead=true&unread=true")).status).toBe(400);

    expect((await api(alice, "PUT", "/api/notifications/read-all")).body.data).toEqual({ updated: 1 });
    expect((await api(alice, "GET", "/api/notifications/unread-count")).body.data).toEqual({ count: 0 });

    expect((await api(alice, "DELETE", `/api/notifications/${n1.id}`)).body.data).toEqual({
      id: n1.id,
      deleted: true,
    });
    expect((await api(alice, "GET", `/api/notifications/${n1.id}`)).status).toBe(404);
    expect((await api(alice, "DELETE", `/api/notifications/${n1.id}`)).status).toBe(404);
  });

  it("validates bodies and lets only an administrator notify someone else", async () => {
    const user = await s.app.createUser();
    const other = await s.app.createUser();
    const admin = await s.app.createUser({ role: "admin" });
    const post = (who: string, body: unknown) => api(who, "POST", "/api/notifications", body);
    expect((await post(user, { title: "x".repeat(201), message: "m" })).status).toBe(400);
    expect((await post(user, { title: "t", message: "m".repeat(2001) })).status).toBe(400);
    expect((await post(user, { title: "t", message: "m", type: "alarm" })).status).toBe(400);
    expect((await post(user, { title: "t", message: "m", priority: "urgent" })).status).toBe(400);
    expect((await post(user, { title: "t", message: "m", metadata: { big: "x".repeat(3000) } })).status).toBe(
      400,
    );
    expect((await post(user, { title: "t", message: "m", userId: other })).status).toBe(403);
    const { secret } = await s.app.keys.create(admin, { name: "integration" });
    const viaKey = await call(s.app.url, "POST", "/api/notifications", {
      auth: `Bearer ${secret}`,
      body: { title: "t", message: "m", userId: other },
    });
    expect(viaKey.status).toBe(403);
    expect((await post(admin, { title: "t", message: "m", userId: "nosuchuser" })).status).toBe(404);
    const sent = await post(admin, { title: "Upgrade tonight", message: "Downtime 5 min", userId: other });
    expect(sent.status).toBe(201);
    expect(sent.body.data).toMatchObject({ userId: other, type: "system", priority: "medium" });
    const page = (await api(other, "GET", "/api/notifications")).body.data;
    expect(page.notifications.map((n: { title: string }) => n.title)).toEqual(["Upgrade tonight"]);
    expect((await call(s.app.url, "GET", "/api/notifications")).status).toBe(401);
  });

  it("pages newest first with a cursor and filters by type, priority and time", async () => {
    const user = await s.app.createUser();
    const t0 = s.clock.t;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      s.clock.t = t0 + i * 1000;
      ids.push(
        (await create(user, { type: i % 2 ? "motion" : "system", priority: i < 2 ? "high" : "low" })).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const res = await api(user, "GET", `/api/notifications?limit=2${q}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.notifications.map((n: { id: string }) => n.id));
      cursor = res.body.data.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const list = async (q: string) =>
      (await api(user, "GET", `/api/notifications?${q}`)).body.data.notifications.map(
        (n: { id: string }) => n.id,
      );
    expect(await list("type=motion")).toEqual([ids[3], ids[1]]);
    expect(await list("priority=high")).toEqual([ids[1], ids[0]]);
    expect(await list(`from=${t0 + 1000}&to=${t0 + 3000}`)).toEqual([ids[2], ids[1]]);
    expect((await api(user, "GET", "/api/notifications?type=alarm")).status).toBe(400);
  });

  it("counts per type, per priority, per UTC day and unread", async () => {
    // Tomorrow 01:00 UTC: time only moves forward (access tokens carry their issue time).
    const day0 = (Math.floor(s.clock.t / DAY) + 1) * DAY + 3_600_000;
    s.clock.t = day0;
    const user = await s.app.createUser();
    await create(user, { type: "motion", priority: "medium" });
    const read = await create(user, { type: "motion", priority: "high" });
    s.clock.t = day0 + DAY;
    await s.app.signIn(user);
    await create(user, { type: "security", priority: "high" });
    await api(user, "PUT", `/api/notifications/${read.id}/read`);
    const stats = (await api(user, "GET", "/api/notifications/stats")).body.data;
    const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(stats).toEqual({
      total: 3,
      unread: 2,
      byType: [
        { type: "motion", count: 2 },
        { type: "security", count: 1 },
      ],
      byPriority: [
        { priority: "high", count: 2 },
        { priority: "medium", count: 1 },
      ],
      byDay: [
        { day: dayOf(day0), count: 2 },
        { day: dayOf(day0 + DAY), count: 1 },
      ],
    });
    const firstDay = (await api(user, "GET", `/api/notifications/stats?to=${day0 + DAY}`)).body.data;
    expect(firstDay).toMatchObject({ total: 2, unread: 1 });
  });
});
