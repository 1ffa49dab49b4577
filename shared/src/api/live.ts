import { z } from "zod";

// The live WebSocket's messages (issue 8 §3, the fMP4 fallback; the agent serves it today, a cloud
// relay will speak the same). The client sends one text message, `auth`, first: browsers cannot
// set an Authorization header on a WebSocket, and a token in the URL would end up in logs.

/** The first (and only) client message. */
export const liveAuthMessageSchema = z.strictObject({
  type: z.literal("auth"),
  token: z.string().min(1).max(4096),
});

/** Server text messages; every other server message is binary fMP4. */
export type LiveServerMessage =
  /** Sent right before the init segment: the MediaSource type of what follows. */
  | { type: "stream"; mimeType: string }
  /** Sent right before the server closes for a reason the page should show. */
  | { type: "error"; code: string; message: string };

/** WebSocket close codes (4000–4999 are the application's). */
export const LIVE_CLOSE = {
  /** Missing, malformed or invalid token (or none within the auth timeout). */
  unauthorized: 4401,
  unknownCamera: 4404,
  /** The camera exists but its source cannot be viewed live (yet). */
  unsupported: 4415,
  /** The viewer fell so far behind that even skipping to key frames did not help. */
  tooSlow: 4408,
  /** The camera's live source ended (ffmpeg failed, camera unreachable). */
  sourceEnded: 1011,
  goingAway: 1001,
} as const;
