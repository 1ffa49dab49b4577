import { z } from "zod";

// ICE servers for WebRTC live view (issue 8 §2): the deployment's STUN/TURN servers, with TURN
// credentials minted per request by the cloud (the TURN REST API's shared-secret scheme that
// coturn implements: username `<expiry>:<user>`, credential base64(HMAC-SHA1(secret, username))).

const iceUrlSchema = z
  .string()
  .max(512)
  .regex(/^(stun|stuns|turn|turns):[^\s]+$/, "must be a stun:, stuns:, turn: or turns: URL");

/** One `RTCIceServer`, as a browser's RTCPeerConnection takes it. */
export const iceServerSchema = z.strictObject({
  urls: z.union([iceUrlSchema, z.array(iceUrlSchema).min(1).max(8)]),
  username: z.string().max(512).optional(),
  credential: z.string().max(512).optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/** `GET /api/rtc/ice-servers`: what a viewer's peer connection should use, until `expiresAt`. */
export const iceServersResponseSchema = z.strictObject({
  iceServers: z.array(iceServerSchema).max(16),
  /** When minted TURN credentials stop working (ms since the epoch); absent without TURN. */
  expiresAt: z.int().nonnegative().optional(),
});
export type IceServersResponse = z.infer<typeof iceServersResponseSchema>;
