import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../helpers/databases.js";
import { waitFor } from "../../helpers/fake-agent.js";
import { startRtcDevice, viewerOffer } from "./rtc-device.js";
import { codeOf, useWhepCloud } from "./whep-cloud.js";

// WHEP relayed through the running cloud, the device's side: offline, silent and refusing devices,
// a device ending a session on its own, and another device trying to answer or end a session
// that is not its own.

describe.each(TEST_DIALECTS)("WHEP relay and device faults (%s)", (dialect) => {
  const w = useWhepCloud(dialect);

  it("forgets a session the device ended on its own, not one another device claims to end", async () => {
    const open = async () => {
      const r = await w.postOffer({
        auth: w.bearer("owner"),
        body: (await viewerOffer()).offer,
      });
      expect(r.status).toBe(201);
      const location = r.headers.get("location") ?? "";
      return { location, sessionId: location.split("/").at(-1) ?? "" };
    };
    const del = (location: string) =>
      fetch(w.cloud.url + location, { method: "DELETE", headers: { authorization: w.bearer("owner") } });
    // Publishes are awaited to their PUBACK: the broker has handed them to the cloud by then.
    const forged = await open();
    const other = await startRtcDevice(w.cloud.mqtt.port, w.fx.other);
    try {
      await other.publishOut(forged.sessionId, { type: "rtc.close", reason: "forged" });
    } finally {
      await other.stop();
    }
    expect((await del(forged.location)).status).toBe(204);
    await waitFor(() => w.device.closes.length === 1, 5000, "rtc.close of the deleted session");
    const ended = await open();
    await w.device.publishOut(ended.sessionId, { type: "rtc.close", reason: "peer failed" });
    expect((await del(ended.location)).status).toBe(404);
    expect(w.device.closes.map((c) => c.sessionId)).toEqual([forged.sessionId]);
  });

  it("answers 503 E_DEVICE_OFFLINE at once for a disconnected device, without publishing", async () => {
    w.device.agent.kill();
    await waitFor(() => !w.cloud.presence.isOnline(w.fx.device.id), 5000, "device offline");
    const r = await w.postOffer({
      auth: w.bearer("owner"),
      body: (await viewerOffer()).offer,
    });
    expect(r.status).toBe(503);
    expect(codeOf(r.text)).toBe("E_DEVICE_OFFLINE");
    expect(w.device.offers).toHaveLength(0);
  });

  it("answers 504 E_TIMEOUT for a silent device, and tells it to drop the session", async () => {
    w.device.mode = { silent: true };
    const r = await w.postOffer({
      auth: w.bearer("viewer"),
      body: (await viewerOffer()).offer,
    });
    expect(r.status).toBe(504);
    expect(codeOf(r.text)).toBe("E_TIMEOUT");
    const sessionId = w.device.offers[0]?.sessionId;
    await waitFor(
      () => w.device.closes.find((c) => c.sessionId === sessionId),
      5000,
      "rtc.close after timeout",
    );
  });

  it("does not let another device answer for this device's session", async () => {
    w.device.mode = { silent: true };
    const other = await startRtcDevice(w.cloud.mqtt.port, w.fx.other);
    try {
      const pending = w.postOffer({
        auth: w.bearer("owner"),
        body: (await viewerOffer()).offer,
      });
      const offer = await waitFor(() => w.device.offers[0], 5000, "offer on the device");
      await other.publishOut(offer.sessionId, { type: "rtc.answer", sdp: "v=0\r\nforged" });
      const r = await pending;
      expect(r.status).toBe(504);
      expect(other.offers).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });

  it.each([
    ["E_NOT_FOUND: camera is private", 404, "E_NOT_FOUND", "camera is private"],
    [
      "E_UNSUPPORTED_MEDIA_TYPE: v4l2 cameras cannot be viewed live yet",
      415,
      "E_UNSUPPORTED_MEDIA_TYPE",
      "v4l2 cameras cannot be viewed live yet",
    ],
    [
      "E_BAD_REQUEST: the offer does not accept H.264",
      400,
      "E_BAD_REQUEST",
      "the offer does not accept H.264",
    ],
    ["E_UNAUTHORIZED: token", 500, "E_INTERNAL", undefined],
    ["ffmpeg crashed", 500, "E_INTERNAL", undefined],
  ] as const)("maps the device's refusal %j to %i", async (reason, status, code, message) => {
    w.device.mode = { refuse: reason };
    const r = await w.postOffer({
      auth: w.bearer("owner"),
      body: (await viewerOffer()).offer,
    });
    expect(r.status).toBe(status);
    const body = JSON.parse(r.text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    if (message) expect(body.error.message).toBe(message);
  });
});
