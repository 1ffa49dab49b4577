import { createHash } from "node:crypto";
import { deviceObjectPrefix, type MediaKind } from "@homecam/shared";
import { parseObjectKey } from "../storage/object-key.js";

// Names derived by the cloud alone: the agent never picks an object key, so it can neither
// overwrite another recording's object nor write outside its own prefix.

const EXTENSIONS: Readonly<Record<MediaKind, string>> = { clip: "mp4", thumbnail: "jpg" };

/** What a recording's object key is made of. */
export interface RecordingKeyParts {
  deviceId: string;
  /** The camera's id on the agent (`cameras.local_id`). */
  cameraLocalId: string;
  /** Recording start, epoch ms (its UTC day is a key segment, for listing and lifecycle rules). */
  startedAt: number;
  /** The agent's recording id. */
  agentRecordingId: string;
}

/** `devices/<deviceId>/<cameraLocalId>/<yyyy-mm-dd>/<recordingId>.<mp4|jpg>`. */
export function mediaObjectKey(parts: RecordingKeyParts, kind: MediaKind): string {
  const day = new Date(parts.startedAt).toISOString().slice(0, 10);
  const key = `${deviceObjectPrefix(parts.deviceId)}${parts.cameraLocalId}/${day}/${parts.agentRecordingId}.${EXTENSIONS[kind]}`;
  return parseObjectKey(key);
}

/**
 * The frame id of the `upload.done` fact a completed upload applies: the same for every repeat
 * of one recording's upload of one kind, so the ingest applies it once (≤ 64 URL-safe chars).
 */
export function uploadFrameId(deviceId: string, agentRecordingId: string, kind: MediaKind): string {
  const digest = createHash("sha256").update(`${deviceId}\n${agentRecordingId}\n${kind}`).digest("base64url");
  return `upl-${digest}`;
}

/**
 * `<camera>-<start>.mp4`, with every character the fs driver does not allow in a download name
 * (`:` of the ISO time, non-ASCII letters of a camera name) replaced by `-`.
 */
export function clipDownloadName(cameraName: string, startedAt: number): string {
  const start = new Date(startedAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  const camera = cameraName.replace(/[^A-Za-z0-9._ -]/g, "-").slice(0, 80) || "camera";
  return `${camera}-${start}.mp4`.replace(/[^A-Za-z0-9._ -]/g, "-");
}
