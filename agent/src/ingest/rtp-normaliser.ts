import { CONSUMER_PAYLOAD_TYPE, type IngestCodec } from "./offer-codec.js";

// The capture ffmpeg reads ONE RTP stream from its SDP for as long as it runs, while publishers come
// and go (a phone reloading its page, a network drop). ffmpeg's RTP demuxer drops packets whose
// sequence number goes backwards and takes timestamp jumps as gaps, so every publisher's packets are
// rewritten into one continuous stream: one SSRC, one payload type, sequence numbers that carry on,
// and timestamps that advance by the wall-clock time that passed between publishers (so recordings
// keep real time). A new publisher is joined at its first key frame: P-frames that reference a
// previous publisher's pictures would decode to garbage.

const SEQ_MOD = 0x1_0000;
const TS_MOD = 0x1_0000_0000;
/** The SSRC of the normalised stream (any constant works: ffmpeg reads one stream per port). */
const OUT_SSRC = 0x686f6d65;

/** Whether an RTP payload starts a key frame (RFC 6184 for H.264, RFC 7741 for VP8). */
export function startsKeyFrame(codec: IngestCodec, payload: Buffer): boolean {
  return codec === "h264" ? h264KeyStart(payload) : vp8KeyStart(payload);
}

function h264KeyStart(p: Buffer): boolean {
  const type = (p[0] ?? 0) & 0x1f;
  // SPS (7) precedes the IDR (5) in every browser's key frame; either one marks the start.
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: [size(2) NAL]…
    for (let i = 1; i + 2 < p.length; i += 2 + p.readUInt16BE(i)) {
      const nal = (p[i + 2] ?? 0) & 0x1f;
      if (nal === 5 || nal === 7) return true;
    }
    return false;
  }
  // FU-A: the first fragment (start bit) of an IDR slice.
  return type === 28 && ((p[1] ?? 0) & 0x80) !== 0 && ((p[1] ?? 0) & 0x1f) === 5;
}

function vp8KeyStart(p: Buffer): boolean {
  const first = p[0] ?? 0;
  // S (start of partition) with partition index 0.
  if ((first & 0x10) === 0 || (first & 0x07) !== 0) return false;
  let i = 1;
  if (first & 0x80) {
    const x = p[i++] ?? 0;
    if (x & 0x80) i += (p[i] ?? 0) & 0x80 ? 2 : 1; // I: picture id, 7 or 15 bits
    if (x & 0x40) i += 1; // L: TL0PICIDX
    if (x & 0x30) i += 1; // T or K: TID/KEYIDX
  }
  // VP8 payload header: P bit 0 = key frame.
  return i < p.length && ((p[i] ?? 1) & 0x01) === 0;
}

interface Mapping {
  ssrc: number;
  seqOffset: number;
  tsOffset: number;
  /** No packet of this publisher goes out before its first key frame. */
  keyed: boolean;
}

/** Rewrites the packets of successive publishers into one continuous RTP stream. */
export class RtpNormaliser {
  #mapping: Mapping | undefined;
  #last: { seq: number; ts: number; atMs: number } | undefined;

  /**
   * The packet to forward (a rewritten copy), or null while waiting for the publisher's first key
   * frame. `packet` is a serialized RTP packet; `payload` its payload; `nowMs` the arrival time.
   */
  rewrite(packet: Buffer, payload: Buffer, codec: IngestCodec, nowMs: number): Buffer | null {
    if (packet.length < 12) return null;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    let m = this.#mapping;
    if (m?.ssrc !== ssrc) {
      m = { ssrc, seqOffset: 0, tsOffset: 0, keyed: false };
      this.#mapping = m;
    }
    if (!m.keyed) {
      if (!startsKeyFrame(codec, payload)) return null;
      // Joined here: the offsets make this packet follow the last one sent, whoever sent it.
      const last = this.#last;
      // 90 kHz video clock: the gap between publishers becomes the same gap in the recording.
      const gap = last ? Math.max(1, Math.round((nowMs - last.atMs) * 90)) : 0;
      m.seqOffset = last ? mod(last.seq + 1 - seq, SEQ_MOD) : 0;
      m.tsOffset = last ? mod(last.ts + gap - ts, TS_MOD) : 0;
      m.keyed = true;
    }
    const out = Buffer.from(packet);
    out[1] = ((packet[1] ?? 0) & 0x80) | CONSUMER_PAYLOAD_TYPE;
    const outSeq = mod(seq + m.seqOffset, SEQ_MOD);
    const outTs = mod(ts + m.tsOffset, TS_MOD);
    out.writeUInt16BE(outSeq, 2);
    out.writeUInt32BE(outTs, 4);
    out.writeUInt32BE(OUT_SSRC, 8);
    this.#last = { seq: outSeq, ts: outTs, atMs: nowMs };
    return out;
  }

  /** Forget the current publisher: the next packet (of any SSRC) waits for a key frame again. */
  reset(): void {
    this.#mapping = undefined;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
