import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pidAlive, waitFor } from "../capture/helpers.js";
import {
  CAMERA_ID,
  DEVICE_ID,
  nodeViewer,
  startWhepFixture,
  V4L2_CAMERA_ID,
  type WhepFixture,
} from "./whep-fixture.js";

// WHEP on the agent's LAN server, end to end in Node: real token checks, real ffmpeg RTP of the
// synthetic camera, werift on both ends over loopback. Refusals first (they start no source).

describe("POST/DELETE /api/cameras/:id/whep", () => {
  let fx: WhepFixture;
  let offer: string;
  beforeAll(async () => {
    fx = await startWhepFixture();
    const probe = await nodeViewer();
    offer = probe.offer;
    await probe.pc.close();
  });
  afterAll(async () => {
    await fx?.close();
  });

  const post = (cameraId: string, init: { token?: string; type?: string; body?: string }) =>
    fetch(`${fx.url}/api/cameras/${cameraId}/whep`, {
      method: "POST",
      headers: {
        "Content-Type": init.type ?? "application/sdp",
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body ?? offer,
    });

  it("refuses an absent or forged token and a token for another device (401), starting nothing", async () => {
    const other = await fx.token({ aud: `${DEVICE_ID}-other` });
    for (const token of [undefined, "forged.token.value", other]) {
      const res = await post(CAMERA_ID, token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect(fx.started).toHaveLength(0);
  });

  it("answers 404 for an unknown camera, 415 for a wrong content type or an unviewable source, 400 for a bad offer", async () => {
    const token = await fx.token();
    expect((await post("nope", { token })).status).toBe(404);
    expect((await post(CAMERA_ID, { token, type: "text/plain" })).status).toBe(415);
    expect((await post(V4L2_CAMERA_ID, { token })).status).toBe(415);
    const bad = await post(CAMERA_ID, { token, body: "v=0\r\nnot an offer\r\n" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: "E_BAD_REQUEST" } });
    expect(fx.started).toHaveLength(0);
  });

  it("answers a CORS preflight without a token and exposes Location", async () => {
    const res = await fetch(`${fx.url}/api/cameras/${CAMERA_ID}/whep`, {
      method: "OPTIONS",
      headers: { Origin: "https://player.example", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    expect(res.headers.get("access-control-expose-headers")).toBe("Location");
  });

  it("streams to two viewers from one ffmpeg; only the owner may DELETE; the source stops after both leave", async () => {
    const token = await fx.token();
    const viewers = [await nodeViewer(), await nodeViewer()];
    const locations: string[] = [];
    for (const viewer of viewers) {
      const res = await post(CAMERA_ID, { token, body: viewer.offer });
      expect(res.status).toBe(201);
      expect(res.headers.get("content-type")).toMatch(/^application\/sdp/);
      const location = res.headers.get("location") ?? "";
      expect(location).toMatch(new RegExp(`^/api/cameras/${CAMERA_ID}/whep/[A-Za-z0-9_-]+$`));
      locations.push(location);
      const answer = await res.text();
      expect(answer).toMatch(/a=rtpmap:\d+ H264\/90000/);
      expect(answer).toMatch(/ 127\.0\.0\.1 \d+ typ host/);
      await viewer.pc.setRemoteDescription({ type: "answer", sdp: answer });
    }
    for (const viewer of viewers)
      await waitFor("RTP packets at the viewer", () => viewer.packets() > 20, 10_000);
    expect(fx.started).toHaveLength(1);
    expect(fx.whep.sourceCount).toBe(1);
    const pid = fx.started[0]?.pid ?? 0;
    expect(pidAlive(pid)).toBe(true);

    const del = (location: string, bearer: string) =>
      fetch(`${fx.url}${location}`, { method: "DELETE", headers: { Authorization: `Bearer ${bearer}` } });
    const stranger = await fx.token({ sub: "user-2" });
    expect((await del(locations[0] ?? "", stranger)).status).toBe(404);
    expect((await del(`/api/cameras/${CAMERA_ID}/whep/unknown-session`, token)).status).toBe(404);
    expect((await del(locations[0] ?? "", token)).status).toBe(204);
    expect((await del(locations[0] ?? "", token)).status).toBe(404);
    // The other viewer still receives from the same ffmpeg.
    const before = viewers[1]?.packets() ?? 0;
    await waitFor(
      "more packets for the remaining viewer",
      () => (viewers[1]?.packets() ?? 0) > before + 10,
      5_000,
    );
    expect(fx.started).toHaveLength(1);
    expect((await del(locations[1] ?? "", token)).status).toBe(204);
    await waitFor("the RTP ffmpeg to exit", () => !pidAlive(pid), 5_000);
    expect(fx.whep.sourceCount).toBe(0);
    expect(fx.whep.sessionCount).toBe(0);
    for (const viewer of viewers) await viewer.pc.close();
  });

  it("ends sessions and the source when the camera is disarmed", async () => {
    const token = await fx.token();
    const viewer = await nodeViewer();
    const res = await post(CAMERA_ID, { token, body: viewer.offer });
    expect(res.status).toBe(201);
    await viewer.pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
    await waitFor("RTP packets", () => viewer.packets() > 5, 10_000);
    fx.setArmed(false);
    await waitFor("sessions ended", () => fx.whep.sessionCount === 0 && fx.whep.sourceCount === 0, 3_000);
    expect((await post(CAMERA_ID, { token, body: (await nodeViewer()).offer })).status).toBe(404);
    fx.setArmed(true);
    await viewer.pc.close();
  });
});
