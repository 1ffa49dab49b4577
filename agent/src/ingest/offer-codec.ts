// Which video codec a WHIP publisher is asked to send, decided by trimming its offer to ONE codec
// before werift sees it. werift matches codecs by MIME type only and answers them in the offer's
// order (Chromium lists VP8 first), so without this the phone would send VP8 and every recording
// would be re-encoded. With one codec left, the answer leaves the publisher no other choice.

/** What the capture ffmpeg is told it receives. */
export type IngestCodec = "h264" | "vp8";

export interface ChosenCodec {
  codec: IngestCodec;
  /** The payload type the publisher stamps (the forwarder rewrites it). */
  payloadType: number;
  /** The publisher's fmtp line for it (profile, packetization mode), "" when none. */
  fmtp: string;
}

interface OfferedCodec extends ChosenCodec {
  name: string;
}

/**
 * Rank of an offered codec, lower is better; undefined when unusable. H.264 needs packetization
 * mode 1 (FU-A, what every browser sends); Constrained Baseline first because browsers that watch
 * the camera live decode it everywhere. VP8 is the fallback (recorded by re-encoding).
 */
function rank(c: OfferedCodec): number | undefined {
  if (c.name === "vp8") return 3;
  if (c.name !== "h264" || !/(^|;)\s*packetization-mode=1\b/.test(c.fmtp)) return undefined;
  const profile = /profile-level-id=([0-9a-f]{6})/i.exec(c.fmtp)?.[1]?.toLowerCase() ?? "";
  if (profile.startsWith("42e0")) return 0;
  return profile.startsWith("4200") ? 1 : 2;
}

/** The offer with its first video section trimmed to the best codec; null when none is usable. */
export function trimOfferToOneCodec(offer: string): { sdp: string; chosen: ChosenCodec } | null {
  const lines = offer.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith("m=video "));
  if (start < 0) return null;
  const next = lines.findIndex((l, i) => i > start && l.startsWith("m="));
  const end = next < 0 ? lines.length : next;
  const section = lines.slice(start, end);
  const offered = new Map<number, OfferedCodec>();
  for (const line of section) {
    const m = /^a=rtpmap:(\d+) ([^/\s]+)\/90000/i.exec(line);
    if (m)
      offered.set(Number(m[1]), {
        payloadType: Number(m[1]),
        name: (m[2] ?? "").toLowerCase(),
        codec: "vp8",
        fmtp: "",
      });
  }
  for (const line of section) {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    const codec = m && offered.get(Number(m[1]));
    if (codec) codec.fmtp = m[2] ?? "";
  }
  let best: OfferedCodec | undefined;
  for (const c of offered.values()) {
    const r = rank(c);
    if (r !== undefined && (best === undefined || r < (rank(best) ?? 9))) best = c;
  }
  if (!best) return null;
  const pt = best.payloadType;
  const keep = section.filter((line, i) => {
    if (i === 0) return true;
    const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(line);
    return !m || Number(m[1]) === pt;
  });
  const mLine = (keep[0] ?? "").split(" ");
  keep[0] = [...mLine.slice(0, 3), String(pt)].join(" ");
  const sdp = [...lines.slice(0, start), ...keep, ...lines.slice(end)].join("\r\n");
  const chosen: ChosenCodec = {
    codec: best.name === "h264" ? "h264" : "vp8",
    payloadType: pt,
    fmtp: best.fmtp,
  };
  return { sdp, chosen };
}

/**
 * The SDP the capture ffmpeg reads (`-f sdp`): RTP of `codec` on 127.0.0.1:`port`, payload type
 * 96 (the forwarder normalises every publisher to it). ffmpeg binds `port` and `port + 1` (RTCP).
 */
export function consumerSdp(codec: IngestCodec, port: number): string {
  const rtpmap = codec === "h264" ? "H264/90000" : "VP8/90000";
  return [
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=homecam browser camera",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=video ${port} RTP/AVP ${CONSUMER_PAYLOAD_TYPE}`,
    `a=rtpmap:${CONSUMER_PAYLOAD_TYPE} ${rtpmap}`,
    ...(codec === "h264" ? [`a=fmtp:${CONSUMER_PAYLOAD_TYPE} packetization-mode=1`] : []),
    "a=recvonly",
    "",
  ].join("\n");
}

/** The payload type of every packet forwarded to the capture ffmpeg. */
export const CONSUMER_PAYLOAD_TYPE = 96;
