import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { WS_CLOSE_UNAUTHORIZED } from "../../../src/ws/viewer-session.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import {
  openViewer,
  type RelayStack,
  startRelayStack,
  type TestViewer,
  waitFor,
} from "../../helpers/fake-agent.js";

describe.each(TEST_DIALECTS)("viewer WebSocket hub on %s", (dialect) => {
  let database: TestDatabase;
  let stack: RelayStack;
  let deviceA: TestDevice;
  let deviceB: TestDevice;
  let owner: string;
  let viewerUser: string;
  let stranger: string;
  let camA: string;
  let offset = 0;
  const sockets: TestViewer[] = [];

  beforeEach(async () => {
    offset = 0;
    database = await createTestDatabase(dialect);
    stack = await startRelayStack(database, {
      now: () => Date.now() + offset,
      authTimeoutMs: 300,
      config: { auth: { accessTtlSeconds: 60 } },
    });
    deviceA = await createTestDevice();
    deviceB = await createTestDevice();
    await stack.pin(deviceA);
    await stack.pin(deviceB);
    camA = await stack.camera(deviceA.id, "porch");
    owner = await stack.app.createUser();
    viewerUser = await stack.app.createUser();
    stranger = await stack.app.createUser();
    await stack.grant(deviceA.id, owner, "owner");
    await stack.grant(deviceB.id, owner, "owner");
    await stack.grant(deviceA.id, viewerUser, "viewer");
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await stack?.close();
    await database?.dispose();
  });

  const token = (userId: string) => stack.app.bearer(userId).slice("Bearer ".length);
  async function open(tok?: string): Promise<TestViewer> {
    const v = await openViewer(stack.wsUrl, tok);
    sockets.push(v);
    return v;
  }
  async function signedIn(userId: string): Promise<TestViewer> {
    const v = await open(token(userId));
    await v.next((m) => m.type === "auth.ok");
    return v;
  }

  it("closes with 4401 without auth in time, with another first message, a bad token or an API key", async () => {
    expect((await (await open()).closed).code).toBe(WS_CLOSE_UNAUTHORIZED);

    const chatty = await open();
    chatty.ws.send(JSON.stringify({ type: "subscribe", deviceId: deviceA.id }));
    expect((await chatty.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);

    expect((await (await open("not-a-token")).closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    const forged = `${token(owner).slice(0, -4)}AAAA`;
    expect((await (await open(forged)).closed).code).toBe(WS_CLOSE_UNAUTHORIZED);

    const { secret } = await stack.app.keys.create(owner, { name: "integration" });
    const withKey = await open(secret);
    expect((await withKey.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    expect(withKey.messages).toEqual([]);
    expect(stack.hub.openSockets()).toBe(0);
  });

  it("refuses other paths and oversized messages", async () => {
    const other = new WebSocket(stack.wsUrl.replace("/api/ws", "/api/other"));
    const status = await new Promise<number>((resolve) => {
      other.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      other.on("error", () => resolve(-1));
    });
    expect(status).toBe(404);

    const big = await open();
    big.ws.send(JSON.stringify({ type: "auth", token: "x".repeat(5000) }));
    expect((await big.closed).code).toBe(1009);
  });

  it("sends the status of every device the user holds a grant on, and nothing else", async () => {
    const ownerWs = await signedIn(owner);
    const statuses = await waitFor(() => {
      const s = ownerWs.messages.filter((m) => m.type === "device.status");
      return s.length === 2 ? s : null;
    });
    expect(statuses.map((s) => s.deviceId).sort()).toEqual([deviceA.id, deviceB.id].sort());
    expect(statuses.find((s) => s.deviceId === deviceA.id)).toMatchObject({
      status: "offline",
      cameras: [{ id: camA, status: "unknown" }],
    });
    const viewerWs = await signedIn(viewerUser);
    await viewerWs.next((m) => m.type === "device.status");
    const strangerWs = await signedIn(stranger);
    // Renewing is a round trip: the snapshot (empty) went out before this answer.
    strangerWs.ws.send(JSON.stringify({ type: "auth", token: token(stranger) }));
    await waitFor(() => strangerWs.messages.length === 2);
    expect(strangerWs.messages.map((m) => m.type)).toEqual(["auth.ok", "auth.ok"]);
    expect(viewerWs.messages.filter((m) => m.type === "device.status").map((m) => m.deviceId)).toEqual([
      deviceA.id,
    ]);
  });

  it("knows who is watching a device, pushes grant.revoked and tells revocation listeners", async () => {
    const revocations: [string, string][] = [];
    stack.hub.onRevoked((userId, deviceId) => revocations.push([userId, deviceId]));
    const viewerWs = await signedIn(viewerUser);
    await signedIn(owner);
    await signedIn(stranger);
    await waitFor(() => stack.hub.watching(deviceA.id).length === 2);
    const names = await stack.app.db.db.selectFrom("users").select(["id", "name"]).execute();
    const nameOf = (id: string) => names.find((n) => n.id === id)?.name;
    const byId = (a: { userId: string }, b: { userId: string }) => (a.userId < b.userId ? -1 : 1);
    expect(stack.hub.watching(deviceA.id).sort(byId)).toEqual(
      [owner, viewerUser].map((userId) => ({ userId, name: nameOf(userId) })).sort(byId),
    );
    expect(stack.hub.watching(deviceB.id)).toEqual([{ userId: owner, name: nameOf(owner) }]);

    stack.hub.revoked(viewerUser, deviceA.id);
    expect(await viewerWs.next((m) => m.type === "grant.revoked")).toMatchObject({
      deviceId: deviceA.id,
      userId: viewerUser,
    });
    expect(revocations).toEqual([[viewerUser, deviceA.id]]);
    expect(stack.hub.watching(deviceA.id).map((w) => w.userId)).toEqual([owner]);
  });

  it("closes with 4401 when the access token expires, unless it was renewed", async () => {
    // Tokens issued 58 s in the past expire 2 s from now (accessTtlSeconds 60).
    offset = -58_000;
    await stack.app.signIn(owner);
    await stack.app.signIn(viewerUser);
    offset = 0;
    const expiring = await signedIn(owner);
    const renewed = await signedIn(viewerUser);
    const firstExpiry = Date.parse(String(renewed.messages[0]?.expiresAt));
    await stack.app.signIn(viewerUser);
    renewed.ws.send(JSON.stringify({ type: "auth", token: token(viewerUser) }));
    const again = await renewed.next((m) => m.type === "auth.ok" && m !== renewed.messages[0]);
    expect(Date.parse(String(again.expiresAt))).toBeGreaterThan(firstExpiry);

    expect((await expiring.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    // Past the first token's expiry the renewed socket still answers.
    await waitFor(() => Date.now() > firstExpiry + 200, 10_000, "first expiry passed");
    renewed.ws.send(JSON.stringify({ type: "auth", token: token(viewerUser) }));
    await waitFor(() => renewed.messages.filter((m) => m.type === "auth.ok").length === 3);
    expect(renewed.ws.readyState).toBe(WebSocket.OPEN);

    // A renewal with another user's token ends the socket.
    renewed.ws.send(JSON.stringify({ type: "auth", token: token(stranger) }));
    expect((await renewed.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
  });

  it("closes every viewer socket with 1001 when it closes", async () => {
    const a = await signedIn(owner);
    const b = await open();
    await stack.hub.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    const late = new WebSocket(stack.wsUrl);
    const refused = await new Promise<boolean>((resolve) => {
      late.on("open", () => resolve(false));
      late.on("error", () => resolve(true));
      late.on("unexpected-response", () => resolve(true));
    });
    late.terminate();
    expect(refused).toBe(true);
  });
});
