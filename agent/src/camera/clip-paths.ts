import { join } from "node:path";

// Where an agent keeps its files under the state directory. Pure.
//
//   <stateDir>/ring/<cameraId>/seg-*.ts                     the camera's ring (capture owns it)
//   <stateDir>/clips/<cameraId>/<YYYY-MM-DD>/<eventId>-<index>.mp4   event clips
//   <stateDir>/clips/<cameraId>/<YYYY-MM-DD>/<eventId>.jpg            the event's thumbnail
//
// The day is the UTC date of the event's start, like every timestamp the agent stores: a
// directory never depends on the host's time zone, and one day's folder can be listed or deleted
// by hand. Only `clips/` is the storage guard's to delete in.

export function ringDir(stateDir: string, cameraId: string): string {
  return join(stateDir, "ring", cameraId);
}

export function clipsDir(stateDir: string): string {
  return join(stateDir, "clips");
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
export function dayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function eventDir(clips: string, cameraId: string, startedAt: number): string {
  return join(clips, cameraId, dayOf(startedAt));
}

export function clipFile(clips: string, cameraId: string, startedAt: number, eventId: string, index: number) {
  return join(eventDir(clips, cameraId, startedAt), `${eventId}-${index}.mp4`);
}

export function thumbnailFile(clips: string, cameraId: string, startedAt: number, eventId: string) {
  return join(eventDir(clips, cameraId, startedAt), `${eventId}.jpg`);
}

/**
 * A temporary file the clip and JPEG writers leave behind when the agent dies mid-write:
 * `.<name>.<hex>.tmp` and its concat list `.<name>.<hex>.tmp.ffconcat` (see recording/atomic-file.ts).
 */
export function isTempClipFile(name: string): boolean {
  return /\.tmp(\.ffconcat)?$/.test(name);
}
