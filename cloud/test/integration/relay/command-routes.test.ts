import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scopedRequestId } from "../../../src/relay/request-id.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import {
  type FakeAgent,
  type RelayStack,
  startRelayStack,
  TINY_JPEG,
  waitFor,
} from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";

describe.each(TEST_DIALECTS)("command relay routes on %s", (dialect) => {
  let database: TestDatabase;
  let stack: RelayStack;
  let agent: FakeAgent;
  let owner: string;
  let viewer: string;
  let stranger: string;
  let cameraId: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    stack = await startRelayStack(database, { config: { relay: { commandTimeoutMs: 600 } } });
    agent = await stack.agent({ cameras: [{ id: "porch", status: "online" }] });
    cameraId = await stack.camera(agent.id, "porch");
    owner = await stack.app.createUser();
    viewer = await stack.app.createUser();
    stranger = await stack.app.createUser();
    await stack.grant(agent.id, owner, "owner");
    await stack.grant(agent.id, viewer, "viewer");
    await waitFor(() => stack.relay.isOnline(agent.id), 5000, "device online");
  });
  afterEach(async () => {
    await stack?.close();
    await database?.dispose();
  });

  const post = (userId: string | null, body: unknown, id = cameraId) =>
    call(stack.app.url, "POST", `/api/cameras/${id}/commands`, {
      auth: userId ? stack.app.bearer(userId) : undefined,
      body,
    });

  async function accessLog(): Promise<{ action: string; outcome: string; user_id: string | null }[]> {
    return stack.app.db.db
      .selectFrom("device_access_log")
      .select(["action", "outcome", "user_id"])
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  it("round-trips a command: the camera's agent id filled in, the device's data answered, access logged", async () => {
    const res = await post(owner, { type: "ptz.move", args: { pan: 0.5, tilt: 0, zoom: -0.25 } });
    expect(res.status).toBe(200);
    expect(res.body.data.result).toEqual({ done: "ptz.move" });
    expect(res.body.data.requestId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(agent.commands).toHaveLength(1);
    expect(agent.commands[0]?.command).toEqual({
      name: "ptz.move",
      args: { cameraId: "porch", pan: 0.5, tilt: 0, zoom: -0.25 },
    });
    // The id on the wire is the caller's id scoped to the caller and the device.
    expect(agent.commands[0]?.requestId).toBe(scopedRequestId(owner, agent.id, res.body.data.requestId));
    expect(await accessLog()).toEqual([{ action: "command.ptz.move", outcome: "ok", user_id: owner }]);
  });

  it("answers 503 E_DEVICE_OFFLINE when the device is not connected, without publishing", async () => {
    agent.kill();
    await waitFor(() => !stack.relay.isOnline(agent.id), 5000, "device offline");
    const res = await post(owner, { type: "arm" });
    expect(res.status).toBe(503);
    expect(res.body.error?.code).toBe("E_DEVICE_OFFLINE");
    expect(agent.commands).toHaveLength(0);
    expect(await accessLog()).toEqual([
      { action: "command.arm", outcome: "E_DEVICE_OFFLINE", user_id: owner },
    ]);
  });

  it("answers 504 E_TIMEOUT when the device never answers", async () => {
    agent.answer = () => ({ never: true });
    const res = await post(owner, { type: "camera.restart" });
    expect(res.status).toBe(504);
    expect(res.body.error?.code).toBe("E_TIMEOUT");
    expect(agent.commands).toHaveLength(1);
  });

  it("passes the device's own error through", async () => {
    agent.answer = () => ({
      ok: false,
      error: { code: "E_NOT_IMPLEMENTED", message: "this camera cannot pan" },
    });
    const res = await post(owner, { type: "ptz.stop" });
    expect(res.status).toBe(501);
    expect(res.body.error).toMatchObject({ code: "E_NOT_IMPLEMENTED", message: "this camera cannot pan" });
    expect((await accessLog())[0]?.outcome).toBe("E_NOT_IMPLEMENTED");
  });

  it("executes a repeated requestId once, sequential and concurrent, and scopes it to the caller", async () => {
    let n = 0;
    agent.answer = async (command) => {
      n++;
      await new Promise((r) => setTimeout(r, 100));
      return { ok: true, data: { name: command.name, n } };
    };
    const body = { type: "record.now", args: { seconds: 10 }, requestId: "my-request-1" };
    const concurrent = await Promise.all([post(owner, body), post(owner, body), post(owner, body)]);
    const again = await post(owner, body);
    for (const r of [...concurrent, again]) {
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ requestId: "my-request-1", result: { name: "record.now", n: 1 } });
    }
    expect(agent.commands).toHaveLength(1);
    // Another user with the same id is another request.
    const other = await post(viewer, { type: "snapshot", requestId: "my-request-1" });
    expect(other.status).toBe(200);
    expect(agent.commands).toHaveLength(2);
    expect(agent.commands[1]?.requestId).not.toBe(agent.commands[0]?.requestId);
  });

  it("is not resolved by another device answering on its own res topic with the same request id", async () => {
    const other = await stack.agent();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    agent.answer = async () => {
      await released;
      return { ok: true, data: "from the right device" };
    };
    const pending = post(owner, { type: "arm", requestId: "r-42" });
    await waitFor(() => agent.commands.length === 1, 5000, "command at the agent");
    const wireId = agent.commands[0]?.requestId as string;
    await other.publishResult(wireId, { ok: true, data: "from another device" });
    release();
    const res = await pending;
    expect(res.body.data.result).toBe("from the right device");
  });

  it("lets a viewer take snapshots and read settings, and refuses everything else with 403", async () => {
    const snap = await post(viewer, { type: "snapshot" });
    expect(snap.status).toBe(200);
    expect(Buffer.from(snap.body.data.result.dataBase64, "base64").equals(TINY_JPEG)).toBe(true);
    expect((await post(viewer, { type: "settings.get" })).status).toBe(200);
    for (const body of [
      { type: "settings.set", args: { patch: { motion: { sensitivity: 10 } } } },
      { type: "arm" },
      { type: "ptz.move", args: { pan: 1, tilt: 1, zoom: 1 } },
      // Authorization comes before validation: an invalid body is still a 403 for a viewer.
      { type: "nonsense", args: 7 },
    ]) {
      const res = await post(viewer, body);
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe("E_FORBIDDEN");
    }
    expect(agent.commands.map((c) => c.command.name)).toEqual(["snapshot", "settings.get"]);
  });

  it("hides the camera from strangers (404, even with an invalid body) and refuses anonymous callers", async () => {
    for (const body of [{ type: "snapshot" }, { type: 12 }, [1, 2]]) {
      const res = await post(stranger, body);
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe("E_NOT_FOUND");
    }
    expect((await post(owner, { type: "snapshot" }, "no-such-camera")).status).toBe(404);
    const anonymous = await post(null, { type: "snapshot" });
    expect(anonymous.status).toBe(401);
    expect(agent.commands).toHaveLength(0);
  });

  it("validates commands after authorization: bad args, a caller-chosen cameraId, unknown types", async () => {
    const bad = [
      { type: "ptz.move", args: { pan: 5, tilt: 0, zoom: 0 } },
      { type: "record.now", args: {} },
      { type: "snapshot", args: { cameraId: "someone-elses" } },
      { type: "grants.revoked", args: { userId: "x" } },
      { type: "camera.add", args: {} },
      { type: "settings.set", args: { patch: { motion: { sensitivity: "high" } } } },
    ];
    for (const body of bad) {
      const res = await post(owner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toBe("E_VALIDATION");
    }
    expect(agent.commands).toHaveLength(0);
  });

  it("GET /snapshot answers the JPEG bytes with image/jpeg and no-store; errors stay JSON", async () => {
    const res = await fetch(`${stack.app.url}/api/cameras/${cameraId}/snapshot`, {
      headers: { authorization: stack.app.bearer(viewer) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(TINY_JPEG)).toBe(true);
    expect(bytes.subarray(0, 2).toString("hex")).toBe("ffd8");

    agent.answer = () => ({ ok: true, data: { contentType: "image/jpeg", dataBase64: "PGh0bWw+" } });
    const forged = await call(stack.app.url, "GET", `/api/cameras/${cameraId}/snapshot`, {
      auth: stack.app.bearer(viewer),
    });
    expect(forged.status).toBe(500);
    expect(forged.headers.get("content-type")).toMatch(/application\/json/);
    const strangers = await call(stack.app.url, "GET", `/api/cameras/${cameraId}/snapshot`, {
      auth: stack.app.bearer(stranger),
    });
    expect(strangers.status).toBe(404);
  });

  it("GET/PUT /settings: grant holders read, the owner patches, a bad patch never reaches the agent", async () => {
    const read = await call(stack.app.url, "GET", `/api/cameras/${cameraId}/settings`, {
      auth: stack.app.bearer(viewer),
    });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ name: "Porch", motion: { sensitivity: 50 } });

    const put = (userId: string, body: unknown) =>
      call(stack.app.url, "PUT", `/api/cameras/${cameraId}/settings`, {
        auth: stack.app.bearer(userId),
        body,
      });
    expect((await put(viewer, { motion: { sensitivity: 10 } })).status).toBe(403);
    expect((await put(stranger, { motion: { sensitivity: 10 } })).status).toBe(404);
    for (const bad of [{ motion: { sensitivity: "x" } }, { motion: { nope: 1 } }, { colour: "red" }]) {
      const res = await put(owner, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error?.code).toBe("E_VALIDATION");
    }
    expect(agent.commands.map((c) => c.command.name)).toEqual(["settings.get"]);

    const ok = await put(owner, { motion: { sensitivity: 10 } });
    expect(ok.status).toBe(200);
    expect(agent.commands[1]?.command).toEqual({
      name: "settings.set",
      args: { cameraId: "porch", patch: { motion: { sensitivity: 10 } } },
    });
    expect(ok.body.data).toMatchObject({ name: "Porch" });
    expect((await accessLog()).map((e) => e.action)).toEqual([
      "command.settings.get",
      "command.settings.set",
    ]);
  });

  it("documents the relay routes in OpenAPI, with the real body schemas", async () => {
    type Op = {
      requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
    };
    const doc = (await (await fetch(`${stack.app.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Op>>;
    };
    const bodyProps = (path: string, method: string) =>
      Object.keys(
        doc.paths[path]?.[method]?.requestBody?.content["application/json"]?.schema.properties ?? {},
      );
    expect(bodyProps("/api/cameras/{id}/commands", "post")).toEqual(["type", "args", "requestId"]);
    expect(bodyProps("/api/cameras/{id}/settings", "put")).toEqual(["name", "motion", "recording"]);
    expect(bodyProps("/api/cameras/{id}/heartbeat", "post")).toContain("cpuPercent");
    expect(doc.paths["/api/cameras/{id}/snapshot"]?.get).toBeDefined();
    expect(doc.paths["/api/cameras/{id}/settings"]?.get).toBeDefined();
  });
});
