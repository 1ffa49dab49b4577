import { EventEmitter } from "node:events";
import { parseMessage, parseTopic } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RtcInMessage } from "../../../src/cloud/mqtt-link.js";
import { attachRtcSignalling } from "../../../src/live/rtc-signalling.js";
import { CAMERA_ID, nodeViewer, startWhepFixture, V4L2_CAMERA_ID, type WhepFixture } from "./whep-fixture.js";

// The agent's half of WHEP relayed by the cloud: offers in on rtc/{sid}/in, answers or refusals out
// on rtc/{sid}/out. The link is an in-memory stand-in for MqttLink (its MQTT half is covered by the
// mqtt-link tests); the hub, werift, ffmpeg and the viewer are real.

const DEVICE = "dev-whep-test";
const log = createLogger({ name: "test", level: "silent" });

interface Out {
  sessionId: string;
  type: string;
  body: Record<string, unknown>;
}

function memoryLink() {
  const emitter = new EventEmitter<{ rtc: [string, RtcInMessage] }>();
  const sent: Out[] = [];
  return {
    sent,
    on: (event: "rtc", listener: (sid: string, m: RtcInMessage) => void) => emitter.on(event, listener),
    publish: async (topic: string, payload: string) => {
      const parsed = parseTopic(topic);
      const message = parseMessage(Buffer.from(payload), ["rtc.answer", "rtc.close"]);
      if (parsed?.kind !== "rtc" || parsed.dir !== "out" || parsed.deviceId !== DEVICE || !message.ok) {
        throw new Error(`unexpected publish on ${topic}`);
      }
      sent.push({ sessionId: parsed.sessionId, type: message.message.type, body: message.message.body });
      return true;
    },
    deliver: (sessionId: string, message: Omit<RtcInMessage, "v" | "id" | "ts">) =>
      emitter.emit("rtc", sessionId, {
        v: 1,
        id: `m-${sessionId}`,
        ts: Date.now(),
        ...message,
      } as RtcInMessage),
  };
}

async function until<T>(read: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("WHEP relayed over MQTT rtc topics (agent side)", () => {
  let fx: WhepFixture;
  let link: ReturnType<typeof memoryLink>;
  const lastFor = (sid: string) => () => link.sent.filter((m) => m.sessionId === sid).at(-1);

  beforeAll(async () => {
    fx = await startWhepFixture();
    link = memoryLink();
    attachRtcSignalling({ hub: fx.whep, link, deviceId: DEVICE, log });
  });
  afterAll(async () => {
    await fx?.close();
  });

  it("answers a relayed offer, streams to the viewer, answers a repeated offer alike and ends on rtc.close", async () => {
    const viewer = await nodeViewer();
    link.deliver("s-one", {
      type: "rtc.offer",
      body: { cameraId: CAMERA_ID, sdp: viewer.offer, viewerId: "u1" },
    });
    const answer = await until(lastFor("s-one"), "an answer");
    expect(answer.type).toBe("rtc.answer");
    await viewer.pc.setRemoteDescription({ type: "answer", sdp: String(answer.body["sdp"]) });
    await until(() => (viewer.packets() > 20 ? true : undefined), "RTP packets at the viewer");

    // QoS 1 may deliver an offer twice: same answer, still one session.
    link.deliver("s-one", {
      type: "rtc.offer",
      body: { cameraId: CAMERA_ID, sdp: viewer.offer, viewerId: "u1" },
    });
    await until(
      () => (link.sent.filter((m) => m.sessionId === "s-one").length === 2 ? true : undefined),
      "2nd",
    );
    expect(link.sent.filter((m) => m.sessionId === "s-one").map((m) => m.body["sdp"])).toEqual([
      answer.body["sdp"],
      answer.body["sdp"],
    ]);
    expect(fx.whep.sessionCount).toBe(1);

    // Ended by the cloud: no rtc.close is echoed back for it.
    link.deliver("s-one", { type: "rtc.close", body: { reason: "viewer left" } });
    expect(fx.whep.sessionCount).toBe(0);
    expect(link.sent.filter((m) => m.sessionId === "s-one")).toHaveLength(2);
    await viewer.pc.close();
  });

  it("refuses with a coded reason: unknown camera, unviewable source, unusable offer", async () => {
    const viewer = await nodeViewer();
    link.deliver("s-unknown", { type: "rtc.offer", body: { cameraId: "nope", sdp: viewer.offer } });
    link.deliver("s-v4l2", { type: "rtc.offer", body: { cameraId: V4L2_CAMERA_ID, sdp: viewer.offer } });
    link.deliver("s-bad", { type: "rtc.offer", body: { cameraId: CAMERA_ID, sdp: "v=0\r\nnot an offer" } });
    const reasons = await Promise.all(
      ["s-unknown", "s-v4l2", "s-bad"].map(async (sid) => {
        const m = await until(lastFor(sid), sid);
        expect(m.type).toBe("rtc.close");
        return String(m.body["reason"]).split(":")[0];
      }),
    );
    expect(reasons).toEqual(["E_NOT_FOUND", "E_UNSUPPORTED_MEDIA_TYPE", "E_BAD_REQUEST"]);
    expect(fx.whep.sessionCount).toBe(0);
    await viewer.pc.close();
  });

  it("tells the cloud when it ends a session itself: a revoked viewer, a disarmed camera", async () => {
    const a = await nodeViewer();
    const b = await nodeViewer();
    link.deliver("s-rev", {
      type: "rtc.offer",
      body: { cameraId: CAMERA_ID, sdp: a.offer, viewerId: "gone" },
    });
    link.deliver("s-arm", {
      type: "rtc.offer",
      body: { cameraId: CAMERA_ID, sdp: b.offer, viewerId: "stays" },
    });
    await until(lastFor("s-rev"), "answer a");
    await until(lastFor("s-arm"), "answer b");

    expect(fx.whep.endUser("gone")).toBe(1);
    expect(lastFor("s-rev")()).toMatchObject({ type: "rtc.close", body: { reason: "access revoked" } });
    expect(fx.whep.sessionCount).toBe(1);

    fx.setArmed(false);
    try {
      const closed = await until(() => {
        const m = lastFor("s-arm")();
        return m?.type === "rtc.close" ? m : undefined;
      }, "rtc.close after disarm");
      expect(String(closed.body["reason"])).toMatch(/disarmed/);
      expect(fx.whep.sessionCount).toBe(0);
    } finally {
      fx.setArmed(true);
      await a.pc.close();
      await b.pc.close();
    }
  });
});
