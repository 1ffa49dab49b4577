import { z } from "zod";
import { iceServerSchema } from "../../api/rtc.js";
import { cameraIdSchema, entityIdSchema, reasonSchema } from "./common.js";

// WebRTC signalling on `…/rtc/{sessionId}/{in|out}`. The viewer's offer (WHEP, relayed by the
// cloud) goes in; the device's answer comes out; trickled candidates and close go either way.

/** Upper bound on an SDP blob (64 KiB; real offers are a few KiB). */
export const MAX_SDP_LENGTH = 64 * 1024;

const sdpSchema = z.string().min(1).max(MAX_SDP_LENGTH);

/**
 * `rtc.offer` (in): `cameraId` tells a multi-camera device which stream to attach. The cloud adds
 * the viewer's user id (for the device's log and revocations) and the ICE servers the device's peer
 * should use (TURN credentials minted for this session), so a viewer behind NAT can still connect.
 */
export const rtcOfferBodySchema = z.object({
  cameraId: cameraIdSchema,
  sdp: sdpSchema,
  viewerId: entityIdSchema.optional(),
  iceServers: z.array(iceServerSchema).max(16).optional(),
});

/** `rtc.answer` (out). */
export const rtcAnswerBodySchema = z.object({ sdp: sdpSchema });

/**
 * `rtc.candidate`: the fields of `RTCIceCandidateInit`. An empty `candidate` string signals
 * end-of-candidates (RFC 8838 §13).
 */
export const rtcCandidateBodySchema = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/** `rtc.close`: either side ends the session. */
export const rtcCloseBodySchema = z.object({ reason: reasonSchema.optional() });
