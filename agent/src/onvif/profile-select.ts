import { OnvifError } from "./errors.js";
import type { OnvifProfile } from "./soap-parse.js";

/** The profiles the agent will use, and why. */
export interface ProfileChoice {
  /** Recorded and streamed (stream copy when H.264). */
  main: OnvifProfile;
  /** A lower-resolution profile of the same video source, decoded for motion analysis. */
  analysis?: OnvifProfile;
  reason: string;
}

/** Below this width a substream is too coarse for motion analysis when a larger one exists. */
const MIN_ANALYSIS_WIDTH = 320;
/** Codecs in order of preference for the main stream (H.264: stream copy into MP4 and WebRTC). */
const CODEC_RANK = ["H264", "H265", "MPEG4", "JPEG"];

function codecRank(p: OnvifProfile): number {
  const i = CODEC_RANK.indexOf(p.encoding ?? "");
  return i === -1 ? CODEC_RANK.length : i;
}

function area(p: OnvifProfile): number {
  return (p.width ?? 0) * (p.height ?? 0);
}

function describe(p: OnvifProfile): string {
  const size = p.width && p.height ? ` ${p.width}x${p.height}` : "";
  return `${p.token} (${p.encoding ?? "no video encoder"}${size})`;
}

/**
 * Pick the main profile — the configured token, else the highest-resolution H.264 profile (first
 * one on a tie; other codecs only when no H.264 profile exists) — and an analysis substream: a
 * profile of the same video source with a smaller picture, the smallest at least 320 px wide
 * (else the largest smaller one). Throws HC_ERR_ONVIF_NO_PROFILE when nothing fits.
 */
export function selectProfiles(profiles: readonly OnvifProfile[], configuredToken?: string): ProfileChoice {
  const video = profiles.filter((p) => p.encoding !== undefined);
  let main: OnvifProfile | undefined;
  let reason: string;
  if (configuredToken !== undefined) {
    main = profiles.find((p) => p.token === configuredToken);
    if (!main) {
      const known = profiles.map((p) => p.token).join(", ") || "none";
      throw new OnvifError(
        "HC_ERR_ONVIF_NO_PROFILE",
        `the camera has no profile "${configuredToken}" (profiles: ${known})`,
      );
    }
    reason = `configured profile ${describe(main)}`;
  } else {
    if (video.length === 0) {
      throw new OnvifError("HC_ERR_ONVIF_NO_PROFILE", "the camera has no profile with a video encoder");
    }
    const ranked = video
      .map((p, i) => ({ p, i }))
      .sort((a, b) => codecRank(a.p) - codecRank(b.p) || area(b.p) - area(a.p) || a.i - b.i);
    main = ranked[0]?.p as OnvifProfile;
    reason = `${main.encoding === "H264" ? "highest-resolution H.264" : "best available"} profile ${describe(main)}`;
  }
  const chosen = main;
  const smaller = video.filter(
    (p) =>
      p.token !== chosen.token &&
      area(p) > 0 &&
      area(p) < area(chosen) &&
      (chosen.videoSourceToken === undefined ||
        p.videoSourceToken === undefined ||
        p.videoSourceToken === chosen.videoSourceToken),
  );
  const wide = smaller.filter((p) => (p.width ?? 0) >= MIN_ANALYSIS_WIDTH).sort((a, b) => area(a) - area(b));
  const analysis = wide[0] ?? [...smaller].sort((a, b) => area(b) - area(a))[0];
  if (analysis)
    return { main: chosen, analysis, reason: `${reason}; analysis substream ${describe(analysis)}` };
  return { main: chosen, reason };
}
