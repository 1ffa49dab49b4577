import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { tempDir, waitFor } from "../capture/helpers.js";
import { runCli } from "../cli-helpers.js";
import { CAMERA_ID, type LanLiveAgent, silentLog, startLanLiveAgent } from "./lan-live-agent.js";
import { type CloudUser, LIVE_CLOUD_ISSUER, type LiveCloud, startLiveCloud } from "./live-cloud.js";
import { openViewer } from "./live-fixture.js";
import { nodeViewer } from "./whep-fixture.js";

// Issue 8's "a revoked viewer, a stranger and an anonymous request are refused on every live path",
// with real parts: a real cloud issues the LAN tokens and pushes `grants.revoked` over MQTT to the
// agent's link; a local viewer is paired and revoked with the `homecam` CLI; the agent's LAN server
// serves WHEP and the fMP4 WebSocket of the synthetic camera with real ffmpeg sources.
// Refused means 401 (HTTP) or close code 4401 (WebSocket), no media, and no ffmpeg started.

type Who = "revoked cloud viewer" | "revoked local viewer" | "stranger" | "anonymous" | "forged" | "expired";

describe("refusals on every live path of the agent", () => {
  let dirs: Array<Awaited<ReturnType<typeof tempDir>>>;
  let cloud: LiveCloud;
  let agent: LanLiveAgent;
  let ownerToken: string;
  const tokens = {} as Record<Who, string | undefined>;

  /** Pairs a viewer with `homecam pair --local` and revokes it with `homecam viewers revoke`. */
  async function revokedLocalViewer(): Promise<string> {
    const pair = await runCli(["pair", "--local", "--json", "--config", agent.configPath]);
    const { pin } = JSON.parse(pair.stdout) as { pin: string };
    const res = await fetch(`${agent.url}/api/local/pair`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pin, name: "Old tablet" }),
    });
    const { data } = (await res.json()) as { data: { token: string; viewerId: string } };
    expect(await agent.lanAuth.verifyToken(data.token)).not.toBeNull();
    const revoke = await runCli(["viewers", "revoke", data.viewerId, "--config", agent.configPath]);
    expect(revoke.code).toBe(0);
    return data.token;
  }

  beforeAll(async () => {
    const agentDir = await tempDir("refusals-agent");
    const otherDir = await tempDir("refusals-other");
    dirs = [agentDir, otherDir];
    cloud = await startLiveCloud(silentLog);
    const identity = await loadOrCreateDeviceIdentity(agentDir.path);
    const otherDevice: DeviceIdentity = await loadOrCreateDeviceIdentity(otherDir.path);
    const owner: CloudUser = await cloud.signUp("owner");
    const viewer = await cloud.signUp("viewer");
    const stranger = await cloud.signUp("stranger");
    await cloud.claim(identity, owner);
    await cloud.claim(identity, viewer);
    await cloud.claim(otherDevice, stranger);
    agent = await startLanLiveAgent({
      stateDir: agentDir.path,
      identity,
      cloud: { url: cloud.url, mqttUrl: cloud.mqttUrl, issuer: LIVE_CLOUD_ISSUER },
    });
    await waitFor("the agent's MQTT link", () => agent.linked(), 10_000);

    const viewerToken = await cloud.lanToken(identity.deviceId, viewer);
    expect(await agent.lanAuth.verifyToken(viewerToken)).not.toBeNull();
    await cloud.revokeGrant(identity.deviceId, owner, viewer.id);
    // The cloud pushes `grants.revoked` to the device; nothing else tells the agent.
    for (const deadline = Date.now() + 5_000; await agent.lanAuth.verifyToken(viewerToken); ) {
      if (Date.now() > deadline) throw new Error("the agent never got grants.revoked");
      await new Promise((r) => setTimeout(r, 50));
    }
    tokens["revoked cloud viewer"] = viewerToken;
    tokens["revoked local viewer"] = await revokedLocalViewer();
    // A valid token of the same cloud, for another device the stranger owns.
    tokens.stranger = await cloud.lanToken(otherDevice.deviceId, stranger);
    tokens.anonymous = undefined;
    ownerToken = await cloud.lanToken(identity.deviceId, owner);
    const [h, p, s] = ownerToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    tokens.forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: stranger.id })).toString("base64url")}.${s}`;
    tokens.expired = await cloud.expiredLanToken(identity.deviceId, owner.id);
  }, 90_000);
  afterAll(async () => {
    await agent?.close();
    await cloud?.close();
    for (const d of dirs ?? []) await d.remove();
  });

  const bearer = (token: string | undefined): Record<string, string> =>
    token ? { Authorization: `Bearer ${token}` } : {};

  it("refuses each of them on WHEP POST, WHEP DELETE and the fMP4 WebSocket, starting no ffmpeg", async () => {
    const whepUrl = `${agent.url}/api/cameras/${CAMERA_ID}/whep`;
    const wsUrl = `${agent.url.replace(/^http/, "ws")}/api/cameras/${CAMERA_ID}/live`;
    const probe = await nodeViewer();
    await probe.pc.close();
    const got: Record<string, Record<string, number>> = {};
    for (const [who, token] of Object.entries(tokens)) {
      const post = await fetch(whepUrl, {
        method: "POST",
        headers: { "Content-Type": "application/sdp", ...bearer(token) },
        body: probe.offer,
      });
      // Anonymous says nothing: the socket must close once the auth message is overdue.
      const socket = openViewer(wsUrl, token ? JSON.stringify({ type: "auth", token }) : undefined);
      // Bounded, so an accepted viewer shows up in the table (as 0) instead of as a test timeout.
      const overdue = new Promise<{ code: number }>((r) => setTimeout(() => r({ code: 0 }), 5_000));
      const closed = await Promise.race([socket.closed, overdue]);
      socket.socket.terminate();
      got[who] = {
        "WHEP POST": post.status,
        "fMP4 WebSocket": closed.code,
        "media bytes": socket.binaries.length,
      };
    }
    expect(agent.started).toHaveLength(0);
    expect([agent.whep.sourceCount, agent.live.sourceCount, agent.whep.sessionCount]).toEqual([0, 0, 0]);

    // DELETE needs a session to aim at: the owner's, which must survive every refused attempt.
    const viewer = await nodeViewer();
    const created = await fetch(whepUrl, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", ...bearer(ownerToken) },
      body: viewer.offer,
    });
    expect(created.status).toBe(201);
    const location = `${agent.url}${created.headers.get("location")}`;
    for (const [who, token] of Object.entries(tokens)) {
      const del = await fetch(location, { method: "DELETE", headers: bearer(token) });
      (got[who] as Record<string, number>)["WHEP DELETE"] = del.status;
    }
    const refused = { "WHEP POST": 401, "WHEP DELETE": 401, "fMP4 WebSocket": 4401, "media bytes": 0 };
    expect(got).toEqual(Object.fromEntries(Object.keys(tokens).map((who) => [who, refused])));
    expect(agent.whep.sessionCount).toBe(1);
    expect(agent.started).toHaveLength(1); // the owner's, and only it

    // Control: the owner may end it.
    expect((await fetch(location, { method: "DELETE", headers: bearer(ownerToken) })).status).toBe(204);
    await viewer.pc.close();
    await waitFor("the owner's source to stop", () => agent.whep.sourceCount === 0, 5_000);
  }, 60_000);
});
