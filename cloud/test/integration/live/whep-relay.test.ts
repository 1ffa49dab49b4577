import { MAX_SDP_LENGTH } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../helpers/databases.js";
import { waitFor } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";
import { viewerOffer } from "./rtc-device.js";
import { codeOf, STUN_URL, turnHmac, useWhepCloud } from "./whep-cloud.js";

// WHEP relayed through the running cloud, the viewer's side: who may open and end a session, what
// the 201 carries (the device's real werift answer, Location, ICE Link headers), body checks after
// the grant, revocation, CORS.

describe.each(TEST_DIALECTS)("WHEP relayed through the cloud (%s)", (dialect) => {
  const w = useWhepCloud(dialect);

  it("answers owner and viewer with 201, the device's SDP answer, Location and ICE Link headers", async () => {
    for (const who of ["owner", "viewer"] as const) {
      const viewer = await viewerOffer();
      const before = Math.floor(Date.now() / 1000);
      const r = await w.postOffer({ auth: w.bearer(who), body: viewer.offer });
      expect(r.status, r.text).toBe(201);
      expect(r.headers.get("content-type")).toMatch(/^application\/sdp/);
      const offer = w.device.offers.at(-1);
      if (!offer) throw new Error("the device got no offer");
      // The offer reached the device as sent, for its own camera id, with the viewer named.
      expect(offer.body).toMatchObject({ cameraId: "cam", sdp: viewer.offer, viewerId: w.users[who].id });
      expect(r.text).toBe(w.device.answers.get(offer.sessionId));
      expect(r.headers.get("location")).toBe(`/api/cameras/${w.fx.cameraId}/whep/${offer.sessionId}`);
      expect(offer.sessionId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      // The device's peer gets TURN credentials minted for the device…
      const turn = offer.body.iceServers?.find((s) => s.username !== undefined);
      expect(offer.body.iceServers?.[0]).toEqual({ urls: STUN_URL });
      const [expiry, ...subject] = (turn?.username ?? "").split(":");
      expect(subject.join(":")).toBe(`device:${w.fx.device.id}`);
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
      expect(turn?.credential).toBe(turnHmac(turn?.username ?? ""));
      // …the viewer's, in WHEP Link headers, for the viewer.
      const links = r.headers.get("link") ?? "";
      expect(links).toContain('<stun:127.0.0.1:3478>; rel="ice-server"');
      const m =
        /<turn:127\.0\.0\.1:3478\?transport=udp>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"; credential-type="password"/.exec(
          links,
        );
      expect(m?.[1]).toMatch(new RegExp(`^\\d+:${w.users[who].id}$`));
      expect(m?.[2]).toBe(turnHmac(m?.[1] ?? ""));
      if (who === "owner") {
        // The answer is a real one: the viewer's peer connects to the device's over loopback.
        await viewer.pc.setRemoteDescription({ type: "answer", sdp: r.text });
        await waitFor(() => viewer.pc.connectionState === "connected", 10_000, "peer connected");
      }
      await viewer.pc.close();
    }
    expect(w.device.offers).toHaveLength(2);
  });

  it("refuses strangers, revoked viewers, anonymous callers, API keys and expired tokens before the device", async () => {
    const unknown = await w.postOffer({ cameraId: "noSuchCamera", auth: w.bearer("stranger") });
    for (const who of ["stranger", "revoked", "admin"] as const) {
      const r = await w.postOffer({ auth: w.bearer(who) });
      expect(r.status, who).toBe(404);
      expect(r.text, who).toBe(unknown.text);
    }
    // A device token is not a user's.
    expect((await w.postOffer({ auth: `Bearer ${await w.fx.other.token()}` })).status).toBe(401);
    expect((await w.postOffer()).status).toBe(401);
    const key = await call(w.cloud.url, "POST", "/api/api-keys", {
      auth: w.bearer("owner"),
      body: { name: "k" },
    });
    const byKey = await w.postOffer({ auth: `Bearer ${key.body.data.secret}` });
    expect(byKey.status).toBe(403);
    const expired = await w.postOffer({ auth: `Bearer ${await w.expiredToken()}` });
    expect(expired.status).toBe(401);
    expect(codeOf(expired.text)).toBe("E_TOKEN_EXPIRED");
    // Refused callers never reach the body checks: a stranger's oversize or JSON body is still 404.
    const big = await w.postOffer({
      auth: w.bearer("stranger"),
      body: "v=0\r\n".padEnd(MAX_SDP_LENGTH + 10, "a"),
    });
    expect(big.status).toBe(404);
    expect(
      (
        await w.postOffer({
          auth: w.bearer("stranger"),
          type: "application/json",
          body: "{}",
        })
      ).status,
    ).toBe(404);
    expect(w.device.offers).toHaveLength(0);
  });

  it("checks the body after the grant: 415 for another type, 413 oversize, 400 not an offer", async () => {
    const auth = w.bearer("owner");
    for (const type of ["text/plain", "application/json"]) {
      const r = await w.postOffer({
        auth,
        type,
        body: type.endsWith("json") ? "{}" : "v=0\r\n",
      });
      expect(r.status, type).toBe(415);
    }
    const big = await w.postOffer({
      auth,
      body: "v=0\r\n".padEnd(MAX_SDP_LENGTH + 1, "a"),
    });
    expect(big.status).toBe(413);
    expect(codeOf(big.text)).toBe("E_PAYLOAD_TOO_LARGE");
    const garbage = await w.postOffer({ auth, body: "hello" });
    expect(garbage.status).toBe(400);
    expect(w.device.offers).toHaveLength(0);
  });

  it("ends a session only for its creator: others 404, the creator 204 and the device gets rtc.close", async () => {
    const viewer = await viewerOffer();
    const r = await w.postOffer({ auth: w.bearer("owner"), body: viewer.offer });
    expect(r.status).toBe(201);
    const location = r.headers.get("location") ?? "";
    const sessionId = location.split("/").at(-1) ?? "";
    const del = (auth?: string) =>
      fetch(w.cloud.url + location, { method: "DELETE", headers: auth ? { authorization: auth } : {} });
    expect((await del(w.bearer("viewer"))).status).toBe(404);
    expect((await del(w.bearer("stranger"))).status).toBe(404);
    expect((await del()).status).toBe(401);
    expect(w.device.closes).toHaveLength(0);
    expect((await del(w.bearer("owner"))).status).toBe(204);
    await waitFor(
      () => w.device.closes.find((c) => c.sessionId === sessionId),
      5000,
      "rtc.close on the device",
    );
    expect((await del(w.bearer("owner"))).status).toBe(404);
    await viewer.pc.close();
  });

  it("ends a revoked viewer's sessions on the device and refuses the viewer afterwards", async () => {
    const r = await w.postOffer({
      auth: w.bearer("viewer"),
      body: (await viewerOffer()).offer,
    });
    expect(r.status).toBe(201);
    const sessionId = r.headers.get("location")?.split("/").at(-1);
    const revoke = await call(
      w.cloud.url,
      "DELETE",
      `/api/devices/${w.fx.device.id}/grants/${w.users.viewer.id}`,
      {
        auth: w.bearer("owner"),
      },
    );
    expect(revoke.status).toBe(200);
    const closed = await waitFor(
      () => w.device.closes.find((c) => c.sessionId === sessionId),
      5000,
      "rtc.close",
    );
    expect(closed.reason).toMatch(/^E_FORBIDDEN:/);
    const again = await w.postOffer({
      auth: w.bearer("viewer"),
      body: (await viewerOffer()).offer,
    });
    expect(again.status).toBe(404);
    expect(w.device.offers).toHaveLength(1);
  });

  it("lets a player on another origin preflight without a token and read Location and Link", async () => {
    const pre = await fetch(`${w.cloud.url}/api/cameras/${w.fx.cameraId}/whep`, {
      method: "OPTIONS",
      headers: { origin: "https://player.example", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    const r = await w.postOffer({
      auth: w.bearer("owner"),
      body: (await viewerOffer()).offer,
    });
    expect(r.headers.get("access-control-expose-headers")).toBe("Location, Link");
  });
});
