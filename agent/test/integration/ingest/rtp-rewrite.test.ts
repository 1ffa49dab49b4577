import { describe, expect, it } from "vitest";
import { consumerSdp, trimOfferToOneCodec } from "../../../src/ingest/offer-codec.js";
import { RtpNormaliser, startsKeyFrame } from "../../../src/ingest/rtp-normaliser.js";

// The two pure halves of the ingest: which codec a publisher's offer is trimmed to, and how the
// packets of successive publishers become one continuous RTP stream for the capture ffmpeg.

const CHROME_LIKE_OFFER = [
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 45",
  "a=mid:0",
  "a=sendonly",
  "a=rtpmap:96 VP8/90000",
  "a=rtcp-fb:96 nack pli",
  "a=rtpmap:97 rtx/90000",
  "a=fmtp:97 apt=96",
  "a=rtpmap:102 H264/90000",
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
  "a=rtpmap:103 H264/90000",
  "a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
  "a=rtpmap:104 H264/90000",
  "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  "a=rtcp-fb:104 nack pli",
  "a=rtpmap:45 AV1/90000",
  "",
].join("\r\n");

function rtp(seq: number, ts: number, ssrc: number, payload: number[]): { packet: Buffer; payload: Buffer } {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0x80 | 104;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(ts, 4);
  header.writeUInt32BE(ssrc, 8);
  const body = Buffer.from(payload);
  return { packet: Buffer.concat([header, body]), payload: body };
}

const IDR_FU_START = [0x7c, 0x85, 0];
const P_SLICE = [0x41, 0];

describe("offer trimming", () => {
  it("keeps only Constrained Baseline H.264 in packetization mode 1, with its own lines", () => {
    const trimmed = trimOfferToOneCodec(CHROME_LIKE_OFFER);
    expect(trimmed?.chosen).toEqual({
      codec: "h264",
      payloadType: 104,
      fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    });
    const video = trimmed?.sdp.split("\r\n") ?? [];
    expect(video).toContain("m=video 9 UDP/TLS/RTP/SAVPF 104");
    expect(video.filter((l) => /^a=(rtpmap|fmtp|rtcp-fb):/.test(l))).toEqual([
      "a=rtpmap:104 H264/90000",
      "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
      "a=rtcp-fb:104 nack pli",
    ]);
  });

  it("falls back to VP8, and finds nothing usable in an AV1-only or video-less offer", () => {
    const noH264 = CHROME_LIKE_OFFER.replace(/H264/g, "H265");
    expect(trimOfferToOneCodec(noH264)?.chosen.codec).toBe("vp8");
    expect(trimOfferToOneCodec(noH264.replace(/VP8/g, "VP9"))).toBeNull();
    expect(trimOfferToOneCodec("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")).toBeNull();
    expect(consumerSdp("h264", 5004)).toContain("m=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000");
  });
});

describe("RTP normalising", () => {
  it("recognises key frame starts of H.264 (single, STAP-A, FU-A) and VP8", () => {
    expect(startsKeyFrame("h264", Buffer.from([0x67, 0]))).toBe(true); // SPS
    expect(startsKeyFrame("h264", Buffer.from([0x78, 0, 2, 0x67, 0, 0, 2, 0x68, 0]))).toBe(true); // STAP-A
    expect(startsKeyFrame("h264", Buffer.from(IDR_FU_START))).toBe(true);
    expect(startsKeyFrame("h264", Buffer.from([0x7c, 0x05, 0]))).toBe(false); // FU-A continuation
    expect(startsKeyFrame("h264", Buffer.from(P_SLICE))).toBe(false);
    expect(startsKeyFrame("vp8", Buffer.from([0x10, 0x00]))).toBe(true);
    expect(startsKeyFrame("vp8", Buffer.from([0x90, 0x80, 0x81, 0x02, 0x00]))).toBe(true); // 15-bit picture id
    expect(startsKeyFrame("vp8", Buffer.from([0x10, 0x01]))).toBe(false); // inter frame
  });

  it("waits for a key frame, then carries sequence and timestamp on across publishers", () => {
    const n = new RtpNormaliser();
    const out = (p: { packet: Buffer; payload: Buffer }, now: number) =>
      n.rewrite(p.packet, p.payload, "h264", now);
    expect(out(rtp(500, 9_000, 1, P_SLICE), 0)).toBeNull();
    const a = out(rtp(501, 9_000, 1, IDR_FU_START), 0);
    expect(a?.[1]).toBe(0x80 | 96);
    expect(a?.readUInt16BE(2)).toBe(501);
    expect(a?.readUInt32BE(8)).toBe(0x686f6d65);
    expect(out(rtp(502, 18_000, 1, P_SLICE), 100)?.readUInt16BE(2)).toBe(502);
    // A new publisher 2 s later: its P-frames are dropped until its key frame, which continues the
    // sequence and lands 2 s (180 000 ticks of 90 kHz) after the last packet.
    expect(out(rtp(7, 1_000, 2, P_SLICE), 2_100)).toBeNull();
    const b = out(rtp(8, 1_000, 2, IDR_FU_START), 2_100);
    expect(b?.readUInt16BE(2)).toBe(503);
    expect(b?.readUInt32BE(4)).toBe(18_000 + 180_000);
    expect(b?.readUInt32BE(8)).toBe(0x686f6d65);
  });
});
