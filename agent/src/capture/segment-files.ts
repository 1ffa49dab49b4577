/**
 * Names of ring segment files. Numbers only ever increase within a ring directory (no
 * `-segment_wrap`): each ffmpeg start continues after the highest number on disk, so a restarted
 * ffmpeg never overwrites a segment a clip may still be reading.
 */
export const SEGMENT_PATTERN = "seg-%09d.ts";

const SEGMENT_NAME = /^seg-(\d{9,})\.ts$/;

/** The segment number in a file name, or undefined when the name is not a segment's. */
export function segmentNumber(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}
