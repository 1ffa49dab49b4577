// Sensitivity 1-100 is the only knob users see. It maps to every threshold the detector uses, so a
// table test pins the behaviour and a change of the curve is a visible diff.

export const DEFAULT_SENSITIVITY = 60;

export interface SensitivityParams {
  /** The sensitivity actually used: rounded and clamped to 1..100. */
  sensitivity: number;
  /** Minimum |frame - background| in luma levels for a pixel to count as changed. */
  pixelThreshold: number;
  /**
   * Multiplier of a pixel's own mean absolute deviation added to the threshold, in quarter units
   * (integer so the hot loop stays in integer math): threshold = pixelThreshold + K/4 * deviation.
   */
  noiseMultiplierQ2: number;
  /** Smallest region that counts as motion, as a fraction of the frame area. */
  minAreaFraction: number;
  /** More than this fraction of the active pixels changing at once is a lighting change. */
  lightChangeFraction: number;
  /** A global brightness shift (median frame - background) of at least this many levels re-bases. */
  lightOffset: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Geometric interpolation: thresholds feel linear to users when they change by a constant ratio. */
const geo = (at1: number, at100: number, t: number): number => at1 * (at100 / at1) ** t;

/**
 * Pure mapping from the user's sensitivity to detector parameters. End points were chosen on the
 * synthetic scenes: at 1 only a high-contrast object covering ~2 % of the frame fires; at 100 a
 * 4-level change over a few dozen pixels does (and sensor noise starts to matter). 60 is the default.
 */
export function sensitivityParams(sensitivity: number = DEFAULT_SENSITIVITY): SensitivityParams {
  const s = Number.isFinite(sensitivity) ? clamp(Math.round(sensitivity), 1, 100) : DEFAULT_SENSITIVITY;
  const t = (s - 1) / 99;
  return {
    sensitivity: s,
    pixelThreshold: Math.round(geo(40, 4, t)),
    noiseMultiplierQ2: Math.round(24 - 12 * t),
    minAreaFraction: Number(geo(0.02, 0.0002, t).toPrecision(3)),
    lightChangeFraction: 0.4,
    lightOffset: 24,
  };
}
