// Just enough ISO BMFF (MP4) parsing for live fMP4: split ffmpeg's byte stream into top-level
// boxes, tell the init segment (ftyp+moov) from media fragments (moof+mdat), find which fragments
// start with a key frame, and read the avcC bytes that name the codec for MediaSource.

/** Top-level boxes are at most this big; anything larger is a corrupt stream, not a frame. */
const MAX_BOX_BYTES = 16 * 1024 * 1024;

/** One complete top-level box: its four-character type and its bytes (header included). */
export interface Mp4Box {
  type: string;
  bytes: Buffer;
}

/** Incremental splitter: feed it chunks as they come off the pipe, get whole boxes back. */
export class Mp4BoxSplitter {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Mp4Box[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const boxes: Mp4Box[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= 8) {
      const size = this.#pending.readUInt32BE(offset);
      // size 0 ("to end of file") and 1 (64-bit size) never occur in ffmpeg's fragmented output.
      if (size < 8 || size > MAX_BOX_BYTES) throw new Error(`unexpected MP4 box size ${size}`);
      if (this.#pending.length - offset < size) break;
      const type = this.#pending.toString("latin1", offset + 4, offset + 8);
      boxes.push({ type, bytes: this.#pending.subarray(offset, offset + size) });
      offset += size;
    }
    this.#pending = this.#pending.subarray(offset);
    return boxes;
  }
}

/** The child box `type` directly inside `box` (whose header is 8 bytes), or undefined. */
function child(box: Buffer, type: string): Buffer | undefined {
  let offset = 8;
  while (offset + 8 <= box.length) {
    const size = box.readUInt32BE(offset);
    if (size < 8 || offset + size > box.length) return undefined;
    if (box.toString("latin1", offset + 4, offset + 8) === type) return box.subarray(offset, offset + size);
    offset += size;
  }
  return undefined;
}

const SAMPLE_IS_NON_SYNC = 0x10000;

/**
 * Whether a `moof` starts with a sync sample (a key frame): a viewer may join there. Reads the first
 * sample's flags from `trun` (first_sample_flags or the per-sample flags) or else the `tfhd`
 * default; when none is present we cannot tell, and say no rather than start a viewer mid-GOP.
 */
export function isKeyFragment(moof: Buffer): boolean {
  const traf = child(moof, "traf");
  const tfhd = traf && child(traf, "tfhd");
  const trun = traf && child(traf, "trun");
  if (!tfhd || !trun || trun.length < 16) return false;
  const trunFlags = trun.readUInt32BE(8) & 0xffffff;
  let offset = 16 + (trunFlags & 0x1 ? 4 : 0);
  if (trunFlags & 0x4) return (trun.readUInt32BE(offset) & SAMPLE_IS_NON_SYNC) === 0;
  if (trunFlags & 0x400) {
    offset += (trunFlags & 0x100 ? 4 : 0) + (trunFlags & 0x200 ? 4 : 0);
    return offset + 4 <= trun.length && (trun.readUInt32BE(offset) & SAMPLE_IS_NON_SYNC) === 0;
  }
  const tfhdFlags = tfhd.readUInt32BE(8) & 0xffffff;
  if (!(tfhdFlags & 0x20)) return false;
  let at = 16; // after version/flags and track_ID
  for (const [bit, bytes] of [
    [0x1, 8],
    [0x2, 4],
    [0x8, 4],
    [0x10, 4],
  ] as const) {
    if (tfhdFlags & bit) at += bytes;
  }
  return at + 4 <= tfhd.length && (tfhd.readUInt32BE(at) & SAMPLE_IS_NON_SYNC) === 0;
}

/**
 * The RFC 6381 codec string of an H.264 init segment (`avc1.PPCCLL` from the avcC profile,
 * compatibility and level bytes), for `MediaSource.isTypeSupported`; undefined without avcC.
 */
export function avcCodecOf(init: Buffer): string | undefined {
  const at = init.indexOf("avcC", 0, "latin1");
  if (at < 0 || at + 8 > init.length) return undefined;
  return `avc1.${init.subarray(at + 5, at + 8).toString("hex")}`;
}
