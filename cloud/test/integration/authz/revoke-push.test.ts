import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigSchema } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningCloud, startCloud } from "../../../src/main.js";
import { call } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { deviceFixture, type MatrixUsers, registerUser } from "./route-fixture.js";

// Revoking a viewer through the running cloud (routes, hub and relay as main.ts wires them): the
// viewer's open WebSocket hears `grant.revoked` within 5 s, and the viewer's next request is 404.

describe("revoking a viewer", () => {
  let dir: string;
  let cloud: RunningCloud;
  let users: MatrixUsers;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "homecam-revoke-"));
    const config = cloudConfigSchema.parse({ stateDir: dir, http: { port: 0 }, mqtt: { port: 0 } });
    cloud = await startCloud({ config, log: silentLogger() });
    const [owner, viewer, revoked, stranger, admin] = await Promise.all(
      ["owner", "viewer", "revoked", "stranger", "admin"].map((l) => registerUser(cloud.url, l)),
    );
    users = { owner, viewer, revoked, stranger, admin } as MatrixUsers;
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("pushes grant.revoked to the viewer's socket within 5 s and shuts the device's routes", async () => {
    const fx = await deviceFixture(cloud.url, users);
    const before = await call(cloud.url, "GET", `/api/cameras/${fx.cameraId}`, {
      auth: `Bearer ${users.viewer.token}`,
    });
    expect(before.status).toBe(200);

    const ws = new WebSocket(`${cloud.url.replace("http", "ws")}/api/ws`);
    const events: { type: string; deviceId?: string; userId?: string; at: number }[] = [];
    ws.on("message", (data) => events.push({ ...JSON.parse(String(data)), at: Date.now() }));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.send(JSON.stringify({ type: "auth", token: users.viewer.token }));
    await expect.poll(() => events.some((e) => e.type === "auth.ok"), { timeout: 5000 }).toBe(true);

    const revokedAt = Date.now();
    const r = await call(cloud.url, "DELETE", `/api/devices/${fx.device.id}/grants/${users.viewer.id}`, {
      auth: `Bearer ${users.owner.token}`,
    });
    expect(r.status).toBe(200);
    await expect
      .poll(() => events.find((e) => e.type === "grant.revoked" && e.deviceId === fx.device.id), {
        timeout: 5000,
      })
      .toBeTruthy();
    const pushed = events.find((e) => e.type === "grant.revoked");
    expect((pushed?.at ?? Number.POSITIVE_INFINITY) - revokedAt).toBeLessThan(5000);
    ws.close();

    const after = await call(cloud.url, "GET", `/api/cameras/${fx.cameraId}`, {
      auth: `Bearer ${users.viewer.token}`,
    });
    expect(after.status).toBe(404);
    const log = await call(cloud.url, "GET", `/api/devices/${fx.device.id}/access-log`, {
      auth: `Bearer ${users.owner.token}`,
    });
    const actions = log.body.data.entries as { action: string }[];
    expect(actions.map((e) => e.action)).toContain("grant.revoke");
  });
});
