/**
 * One file of a camera's on-disk ring buffer: ~2 s of video (MPEG-TS, H.264) starting with a key
 * frame, so any run of consecutive segments can be joined by stream copy.
 */
export interface Segment {
  /** Absolute path of the segment file. */
  path: string;
  /** Wall-clock time of the segment's first frame, epoch ms. */
  startMs: number;
  /** Wall-clock time just after its last frame, epoch ms. */
  endMs: number;
}
