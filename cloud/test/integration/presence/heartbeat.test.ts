import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { openViewer, type RelayStack, startRelayStack, type TestViewer } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";

const body = {
  cpuPercent: 3,
  memoryMB: 120,
  diskFreeMB: 500,
  diskTotalMB: 1000,
  uptimeS: 42,
  cameras: [{ id: "porch", status: "online", fps: 9.5 }],
};

describe.each(TEST_DIALECTS)("POST /api/cameras/:id/heartbeat on %s", (dialect) => {
  let database: TestDatabase;
  let stack: RelayStack;
  let device: TestDevice;
  let other: TestDevice;
  let porch: string;
  let othersCamera: string;
  let clock = 0;
  let viewer: TestViewer | undefined;

  beforeEach(async () => {
    clock = Date.now();
    database = await createTestDatabase(dialect);
    stack = await startRelayStack(database, { now: () => clock });
    device = await createTestDevice();
    other = await createTestDevice();
    await stack.pin(device);
    await stack.pin(other);
    porch = await stack.camera(device.id, "porch");
    othersCamera = await stack.camera(other.id, "porch");
  });
  afterEach(async () => {
    viewer?.ws.terminate();
    await stack?.close();
    await database?.dispose();
  });

  const beat = async (cameraId: string, payload: unknown, auth?: string) =>
    call(stack.app.url, "POST", `/api/cameras/${cameraId}/heartbeat`, {
      auth: auth ?? `Bearer ${await device.token()}`,
      body: payload,
    });

  it("records the telemetry, marks the device online and pushes both", async () => {
    const owner = await stack.app.createUser();
    await stack.grant(device.id, owner, "owner");
    viewer = await openViewer(stack.wsUrl, stack.app.bearer(owner).slice("Bearer ".length));
    await viewer.next((m) => m.type === "device.status" && m.status === "offline");

    const res = await beat(porch, body);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ receivedAt: new Date(clock).toISOString() });
    const row = await stack.app.db.db
      .selectFrom("devices")
      .selectAll()
      .where("id", "=", device.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "online",
      status_at: clock,
      telemetry_at: clock,
      last_seen_at: clock,
    });
    expect(JSON.parse(row.telemetry_json as string)).toEqual(body);
    const cam = await stack.app.db.db
      .selectFrom("cameras")
      .selectAll()
      .where("id", "=", porch)
      .executeTakeFirstOrThrow();
    expect(cam.status).toBe("online");

    expect(await viewer.next((m) => m.type === "device.status" && m.status === "online")).toMatchObject({
      cameras: [{ id: porch, status: "online" }],
    });
    expect(await viewer.next((m) => m.type === "device.telemetry")).toMatchObject({
      deviceId: device.id,
      telemetry: { ...body, cameras: [{ id: porch, status: "online", fps: 9.5 }] },
    });
    // Online over HTTP only: commands still need the MQTT connection.
    expect(stack.relay.isOnline(device.id)).toBe(false);
  });

  it("answers 404 for another device's camera or an unknown one — even with a bad body", async () => {
    expect((await beat(othersCamera, body)).status).toBe(404);
    expect((await beat("nope", body)).status).toBe(404);
    expect((await beat(othersCamera, { cpuPercent: "x" })).status).toBe(404);
    const row = await stack.app.db.db
      .selectFrom("devices")
      .select(["status", "telemetry_json"])
      .where("id", "=", other.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "unknown", telemetry_json: null });
  });

  it("validates the body for the device's own camera", async () => {
    for (const bad of [{ ...body, cpuPercent: 101 }, { ...body, cameras: "porch" }, {}]) {
      const res = await beat(porch, bad);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe("E_VALIDATION");
    }
  });

  it("accepts devices only", async () => {
    const user = await stack.app.createUser();
    expect((await beat(porch, body, stack.app.bearer(user))).status).toBe(403);
    const anonymous = await call(stack.app.url, "POST", `/api/cameras/${porch}/heartbeat`, { body });
    expect(anonymous.status).toBe(401);
  });
});
