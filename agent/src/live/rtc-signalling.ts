import { ApiError, encodeMessage, type MessageBodyInput, type MessageType, topics } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { CaptureError } from "../capture/capture-error.js";
import type { RtcInMessage } from "../cloud/mqtt-link.js";
import type { WhepHub } from "./whep-hub.js";

// WHEP relayed by the cloud (issue 8 §2): the cloud checked the viewer's grant and forwards the
// offer on `rtc/{sessionId}/in`; the answer (or the refusal) goes back on `rtc/{sessionId}/out`.
// Only signalling crosses MQTT: the media flows viewer ↔ agent directly, or through TURN.

/** What the signalling needs from the MQTT link. */
export interface RtcLink {
  on(event: "rtc", listener: (sessionId: string, message: RtcInMessage) => void): unknown;
  publish(topic: string, payload: string, opts?: { qos?: 0 | 1 }): Promise<boolean>;
}

export interface RtcSignallingOptions {
  hub: Pick<WhepHub, "open" | "end" | "answerOf">;
  link: RtcLink;
  deviceId: string;
  log: Pick<Logger, "info" | "warn" | "debug">;
}

/** User id recorded for a relayed session whose offer named no viewer. */
const RELAYED_VIEWER = "cloud";

/** Attach the cloud's WebRTC signalling to the WHEP hub. */
export function attachRtcSignalling(opts: RtcSignallingOptions): void {
  const { hub, link, deviceId, log } = opts;
  const send = async <T extends MessageType>(sessionId: string, type: T, body: MessageBodyInput<T>) => {
    try {
      const payload = encodeMessage(type, body);
      if (!(await link.publish(topics.rtc(deviceId, sessionId, "out"), payload, { qos: 1 }))) {
        log.info({ sessionId, type }, "rtc message not sent: disconnected");
      }
    } catch (err) {
      log.warn({ err, sessionId, type }, "rtc message not sent");
    }
  };

  const onOffer = async (sessionId: string, body: Extract<RtcInMessage, { type: "rtc.offer" }>["body"]) => {
    // QoS 1 may deliver the offer twice: the second gets the first's answer, not a second peer.
    const known = hub.answerOf(sessionId);
    if (known !== undefined) return send(sessionId, "rtc.answer", { sdp: known });
    try {
      const opened = await hub.open(body.cameraId, body.viewerId ?? RELAYED_VIEWER, body.sdp, {
        sessionId,
        iceServers: body.iceServers,
        // The viewer must learn that the stream ended (camera disarmed, peer failed, revoked).
        onEnded: (reason) => void send(sessionId, "rtc.close", { reason: reason.slice(0, 256) }),
      });
      if (opened === null) {
        return send(sessionId, "rtc.close", {
          reason: "E_NOT_FOUND: unknown camera, or it is disabled or private",
        });
      }
      if (opened instanceof CaptureError) {
        return send(sessionId, "rtc.close", { reason: refusal("E_UNSUPPORTED_MEDIA_TYPE", opened.message) });
      }
      log.info({ sessionId, cameraId: body.cameraId }, "relayed WebRTC offer answered");
      return send(sessionId, "rtc.answer", { sdp: opened.answer });
    } catch (err) {
      const code = err instanceof ApiError ? err.code : "E_INTERNAL";
      log.warn({ err, sessionId }, "relayed WebRTC offer refused");
      return send(sessionId, "rtc.close", { reason: refusal(code, (err as Error).message) });
    }
  };

  link.on("rtc", (sessionId, message) => {
    switch (message.type) {
      case "rtc.offer":
        void onOffer(sessionId, message.body);
        return;
      case "rtc.close":
        if (hub.end(sessionId, message.body.reason ?? "ended by the viewer")) {
          log.info({ sessionId }, "relayed WebRTC session ended by the cloud");
        }
        return;
      case "rtc.candidate":
        // Answers carry every candidate (no trickle ICE), so a trickled one changes nothing.
        log.debug({ sessionId }, "trickled ICE candidate ignored");
        return;
    }
  });
}

/** `E_CODE: message`, the form the cloud parses back into an API error; within 256 characters. */
function refusal(code: string, message: string): string {
  return `${code}: ${message}`.slice(0, 256);
}
