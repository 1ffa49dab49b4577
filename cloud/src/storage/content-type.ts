import { extname } from "node:path";

// The media the agent stores; anything else is served as opaque bytes (and `nosniff` keeps a
// browser from guessing otherwise).
const TYPES: Readonly<Record<string, string>> = {
  ".mp4": "video/mp4",
  ".m4s": "video/iso.segment",
  ".webm": "video/webm",
  ".mkv": "video/x-matroska",
  ".ts": "video/mp2t",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".json": "application/json",
};

/** The Content-Type an object is served with, from its key's extension. */
export function contentTypeForKey(key: string): string {
  return TYPES[extname(key).toLowerCase()] ?? "application/octet-stream";
}
