import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type EventsApp, startEventsApp } from "./events-app.js";

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 2, 10); // 2024-03-10T00:00Z

interface Seeded {
  deviceId: string;
  cameras: Record<string, string>;
  owner: string;
  viewer: string;
  stranger: string;
  /** Cloud event ids by agent event id. */
  ids: Record<string, string>;
}

// One device, two cameras, six events over three days; three segments, one uploaded.
async function seed(e: EventsApp): Promise<Seeded> {
  const { device, cameras } = await e.device(["porch", "garden"]);
  const [owner, viewer, stranger] = [
    await e.app.createUser(),
    await e.app.createUser(),
    await e.app.createUser(),
  ];
  await e.grant(device.id, owner, "owner");
  await e.grant(device.id, viewer, "viewer");
  const facts: Array<[string, string, "motion" | "sound", number, number]> = [
    ["a", "porch", "motion", D0 + 1000, 0.2],
    ["b", "porch", "motion", D0 + 2000, 0.6],
    ["c", "garden", "sound", D0 + DAY + 10, 0.9],
    ["d", "porch", "motion", D0 + DAY + 20, 0.5],
    ["e", "garden", "motion", D0 + 2 * DAY, 0.7],
    ["f", "porch", "sound", D0 + 2 * DAY + 5, 0.3],
  ];
  for (const [eventId, cameraId, type, startedAt, score] of facts) {
    e.clock.t += 1; // distinct created_at, so the page order is known
    await e.apply(device.id, "event.ended", {
      eventId,
      cameraId,
      type,
      startedAt,
      endedAt: startedAt + 1000,
      durationMs: 1000,
      score,
    });
  }
  const segment = (recordingId: string, eventId: string | null, index: number, sizeBytes: number) =>
    e.apply(device.id, "recording.ready", {
      recordingId,
      eventId,
      cameraId: "porch",
      index,
      startedAt: D0 + 1000 + index,
      endedAt: D0 + 2000,
      durationMs: 1000 - index,
      sizeBytes,
      format: "mp4",
    });
  await segment("r1", "a", 1, 300);
  await segment("r0", "a", 0, 200);
  await segment("r2", null, 0, 50);
  await e.apply(device.id, "upload.done", {
    recordingId: "r0",
    objectKey: `devices/${device.id}/r0.mp4`,
    sizeBytes: 200,
    kind: "clip",
  });
  const rows = await e.app.db.db
    .selectFrom("events")
    .select(["id", "agent_event_id"])
    .where("device_id", "=", device.id)
    .execute();
  const ids = Object.fromEntries(rows.map((r) => [r.agent_event_id, r.id]));
  return { deviceId: device.id, cameras, owner, viewer, stranger, ids };
}

describe.each(TEST_DIALECTS)("event index reads (%s)", (dialect) => {
  let database: TestDatabase;
  let e: EventsApp;
  let s: Seeded;
  let other: Seeded;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    e = await startEventsApp(database);
    s = await seed(e);
    other = await seed(e);
  });
  afterAll(async () => {
    await e?.close();
    await database?.dispose();
  });

  const get = (path: string, user?: string) =>
    call(e.app.url, "GET", path, { auth: user ? e.app.bearer(user) : undefined });
  const agentIds = (events: Array<{ id: string }>, seeded: Seeded) => {
    const byCloud = Object.fromEntries(Object.entries(seeded.ids).map(([a, c]) => [c, a]));
    return events.map((ev) => String(byCloud[ev.id]));
  };

  it("lists only the events of devices the caller holds a grant on, newest first", async () => {
    for (const user of [s.owner, s.viewer]) {
      const r = await get("/api/events", user);
      expect(r.status).toBe(200);
      expect(agentIds(r.body.data.events, s)).toEqual(["f", "e", "d", "c", "b", "a"]);
    }
    expect((await get("/api/events", s.stranger)).body.data.events).toEqual([]);
    expect((await get("/api/events")).status).toBe(401);
  });

  it("filters by camera, time, type, score and pin, and pages with a cursor", async () => {
    const q = async (query: string) =>
      agentIds((await get(`/api/events?${query}`, s.viewer)).body.data.events, s);
    expect(await q(`cameraId=${s.cameras.garden}`)).toEqual(["e", "c"]);
    expect(await q(`from=${D0 + DAY}&to=${D0 + 2 * DAY}`)).toEqual(["d", "c"]);
    expect(await q("type=sound")).toEqual(["f", "c"]);
    expect(await q("minScore=0.6")).toEqual(["e", "c", "b"]);
    expect(await q("pinned=true")).toEqual([]);
    expect((await get("/api/events?minScore=1.5", s.viewer)).status).toBe(400);
    // A camera you hold no grant on is a 404, like an unknown one.
    expect((await get(`/api/events?cameraId=${other.cameras.porch}`, s.viewer)).status).toBe(404);
    expect((await get("/api/events?cameraId=nope", s.viewer)).status).toBe(404);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(
        `/api/events?limit=4${cursor ? `&cursor=${cursor}` : ""}`,
        s.owner,
      );
      seen.push(...agentIds(page.body.data.events, s));
      cursor = page.body.data.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["f", "e", "d", "c", "b", "a"]);
  });

  it("reads one event for grant holders only", async () => {
    const path = `/api/events/${s.ids.c}`;
    const r = await get(path, s.viewer);
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      id: s.ids.c,
      deviceId: s.deviceId,
      cameraId: s.cameras.garden,
      type: "sound",
      startedAt: new Date(D0 + DAY + 10).toISOString(),
      endedAt: new Date(D0 + DAY + 1010).toISOString(),
      durationMs: 1000,
      score: 0.9,
      boxes: [],
      isPinned: false,
      acknowledged: false,
    });
    const stranger = await get(path, s.stranger);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error?.code).toBe("E_NOT_FOUND");
    expect((await get(path)).status).toBe(401);
  });

  it("counts per day, camera and type, for the caller's cameras", async () => {
    const r = await get("/api/events/stats", s.viewer);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      total: 6,
      byDay: [
        { day: "2024-03-10", count: 2 },
        { day: "2024-03-11", count: 2 },
        { day: "2024-03-12", count: 2 },
      ],
      byCamera: [
        { cameraId: s.cameras.porch, count: 4 },
        { cameraId: s.cameras.garden, count: 2 },
      ].sort((a, b) => (String(a.cameraId) < String(b.cameraId) ? -1 : 1)),
      byType: [
        { type: "motion", count: 4 },
        { type: "sound", count: 2 },
      ],
    });
    const garden = await get(`/api/events/stats?cameraId=${s.cameras.garden}&from=${D0 + DAY}`, s.owner);
    expect(garden.body.data).toMatchObject({
      total: 2,
      byDay: [
        { day: "2024-03-11", count: 1 },
        { day: "2024-03-12", count: 1 },
      ],
    });
    expect((await get("/api/events/stats", s.stranger)).body.data.total).toBe(0);
    expect((await get(`/api/events/stats?cameraId=${s.cameras.porch}`, s.stranger)).status).toBe(404);
  });

  it("lists an event's segments in order, and recordings with filters and stats", async () => {
    const segs = await get(`/api/events/${s.ids.a}/recordings`, s.viewer);
    expect(segs.status).toBe(200);
    expect(segs.body.data.map((r: { index: number; uploaded: boolean }) => [r.index, r.uploaded])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect((await get(`/api/events/${s.ids.a}/recordings`, s.stranger)).status).toBe(404);

    const all = await get("/api/recordings", s.viewer);
    expect(all.body.data.recordings).toHaveLength(3);
    const uploaded = await get("/api/recordings?uploaded=true", s.viewer);
    expect(uploaded.body.data.recordings.map((r: { objectKey: string }) => r.objectKey)).toEqual([
      `devices/${s.deviceId}/r0.mp4`,
    ]);
    expect((await get("/api/recordings?uploaded=false", s.viewer)).body.data.recordings).toHaveLength(2);
    expect((await get(`/api/recordings?eventId=${s.ids.a}`, s.viewer)).body.data.recordings).toHaveLength(2);
    expect((await get(`/api/recordings?eventId=${s.ids.a}`, s.stranger)).status).toBe(404);
    expect((await get("/api/recordings", s.stranger)).body.data.recordings).toEqual([]);

    const one = all.body.data.recordings[0];
    expect((await get(`/api/recordings/${one.id}`, s.owner)).body.data).toEqual(one);
    expect((await get(`/api/recordings/${one.id}`, s.stranger)).status).toBe(404);
    expect((await get(`/api/recordings/${one.id}`)).status).toBe(401);

    expect((await get("/api/recordings/stats", s.viewer)).body.data).toEqual({
      count: 3,
      bytes: 550,
      uploaded: { count: 1, bytes: 200 },
      notUploaded: { count: 2, bytes: 350 },
    });
    expect((await get("/api/recordings/stats", s.stranger)).body.data.count).toBe(0);
  });

  it("lets any grant holder acknowledge, the owner pin and delete; checks access before the body", async () => {
    const id = other.ids.b;
    const send = (method: string, path: string, user: string | undefined, body?: unknown) =>
      call(e.app.url, method, path, { auth: user ? e.app.bearer(user) : undefined, body });

    // Strangers: 404 whatever the body; viewers: 403 on owner actions whatever the body.
    expect((await send("PUT", `/api/events/${id}`, other.stranger, { junk: 1 })).status).toBe(404);
    expect((await send("POST", `/api/events/${id}/pin`, other.stranger, { junk: 1 })).status).toBe(404);
    expect((await send("POST", `/api/events/${id}/pin`, other.viewer, { junk: 1 })).status).toBe(403);
    expect((await send("DELETE", `/api/events/${id}`, other.viewer)).status).toBe(403);
    expect((await send("DELETE", `/api/events/${id}`, other.stranger)).status).toBe(404);
    expect((await send("PUT", `/api/events/${id}`, undefined, { acknowledged: true })).status).toBe(401);

    expect((await send("PUT", `/api/events/${id}`, other.viewer, { acknowledged: false })).status).toBe(400);
    const ack = await send("PUT", `/api/events/${id}`, other.viewer, { acknowledged: true });
    expect(ack.status).toBe(200);
    expect(ack.body.data.acknowledged).toBe(true);

    const pin = await send("POST", `/api/events/${id}/pin`, other.owner, { pinned: true });
    expect(pin.body.data.isPinned).toBe(true);
    const pinned = await get("/api/events?pinned=true", other.viewer);
    expect(pinned.body.data.events.map((ev: { id: string }) => ev.id)).toEqual([id]);

    e.signals.length = 0;
    const del = await send("DELETE", `/api/events/${other.ids.a}`, other.owner);
    expect(del.body.data).toEqual({ id: other.ids.a, deleted: true });
    expect(e.signals.map((x) => x.name)).toEqual(["eventDeleted"]);
    expect((await get(`/api/events/${other.ids.a}`, other.owner)).status).toBe(404);
    expect((await send("DELETE", `/api/events/${other.ids.a}`, other.owner)).status).toBe(404);
    // Its segments go with it; the continuous one stays.
    const recs = await get("/api/recordings", other.owner);
    expect(recs.body.data.recordings.map((r: { eventId: string | null }) => r.eventId)).toEqual([null]);
    expect((await get("/api/events/stats", other.owner)).body.data.total).toBe(5);
    const log = await e.app.db.db
      .selectFrom("device_access_log")
      .select(["action", "user_id"])
      .where("device_id", "=", other.deviceId)
      .execute();
    expect(log).toEqual([{ action: "event.delete", user_id: other.owner }]);
  });
});
