// Zones are rasterised once, when the detector is built, into a byte mask (1 = watched) that the
// per-pixel kernel ANDs in. Doing the geometry per frame would cost more than the detection itself.

import type { Zone } from "./types.js";

export interface ZoneMask {
  /** width * height bytes, 1 where motion counts, 0 where it is ignored. */
  mask: Uint8Array;
  /** Number of watched pixels (0 when the zones exclude everything). */
  active: number;
}

/**
 * Builds the watched-pixel mask. No include zone = the whole frame is watched (works with no
 * configuration); with include zones only their union is watched. Exclude zones are then cut out,
 * so an exclude always wins over an include. A pixel belongs to a polygon when its centre does
 * (even-odd rule, so self-intersecting polygons behave predictably).
 */
export function rasterizeZones(zones: readonly Zone[], width: number, height: number): ZoneMask {
  const mask = new Uint8Array(width * height);
  const includes = zones.filter((z) => z.mode === "include");
  const excludes = zones.filter((z) => z.mode === "exclude");
  if (includes.length === 0) mask.fill(1);
  const xs: number[] = [];
  for (const zone of includes) fillPolygon(mask, zone.points, width, height, 1, xs);
  for (const zone of excludes) fillPolygon(mask, zone.points, width, height, 0, xs);
  let active = 0;
  for (let i = 0; i < mask.length; i++) active += mask[i]!;
  return { mask, active };
}

/** Scanline fill of one polygon in normalised coordinates; `xs` is reused scratch. */
function fillPolygon(
  mask: Uint8Array,
  points: Zone["points"],
  width: number,
  height: number,
  value: 0 | 1,
  xs: number[],
): void {
  const n = points.length;
  if (n < 3) return;
  for (let y = 0; y < height; y++) {
    const yc = (y + 0.5) / height;
    xs.length = 0;
    for (let j = 0, k = n - 1; j < n; k = j++) {
      const [x1, y1] = points[k]!;
      const [x2, y2] = points[j]!;
      // Half-open rule: a vertex exactly on the scanline is counted for one of its two edges only.
      if (y1 <= yc !== y2 <= yc) xs.push(x1 + ((yc - y1) * (x2 - x1)) / (y2 - y1));
    }
    xs.sort((a, b) => a - b);
    for (let j = 0; j + 1 < xs.length; j += 2) {
      // Pixel x is inside when its centre (x + 0.5) / width lies in [xa, xb).
      const start = Math.max(0, Math.ceil(xs[j]! * width - 0.5));
      const end = Math.min(width, Math.ceil(xs[j + 1]! * width - 0.5));
      if (end > start) mask.fill(value, y * width + start, y * width + end);
    }
  }
}
