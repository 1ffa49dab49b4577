// Neighbourhood deviation floor, and the zone mask, in one byte per pixel for the kernel.
//
// Why: a pixel's own deviation only rises where motion is regular. At the edge of swaying foliage
// some pixels are covered only at the extreme of the sway, once every few seconds; their own
// deviation decays between visits and they fire, as a thin strip along the edge (measured on the
// synthetic foliage scene: one false region every ~10 s). Letting a pixel borrow the largest mean
// deviation of the cells around it closes that gap, at the price of some sensitivity
// right next to moving vegetation, which is where users expect it.
//
// Why one byte with the zone mask folded in: the kernel then needs a single extra load per pixel.
// A floor of 255 levels (EXCLUDED) is a threshold no difference can exceed, i.e. "not watched".

/** Floor value meaning "outside the zones": the kernel can never flag such a pixel. */
export const EXCLUDED = 255;

export class DeviationFloor {
  /** Per pixel: EXCLUDED, or the minimum deviation (whole levels) its threshold assumes. */
  readonly map: Uint8Array;
  readonly gridW: number;
  readonly gridH: number;
  private readonly cellMean: Uint16Array;
  private readonly cellFloor: Uint8Array;

  /** `watch`: the zone mask (1 = watched), `width * height` bytes. */
  constructor(
    private readonly watch: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly cellShift: number,
  ) {
    this.gridW = Math.ceil(width / (1 << cellShift));
    this.gridH = Math.ceil(height / (1 << cellShift));
    this.cellMean = new Uint16Array(this.gridW * this.gridH);
    this.cellFloor = new Uint8Array(this.gridW * this.gridH);
    this.map = new Uint8Array(width * height);
    for (let i = 0; i < watch.length; i++) this.map[i] = watch[i] ? 0 : EXCLUDED;
  }

  /**
   * Recomputes the floors from the per-pixel deviations (Q8). Deviations drift slowly, so the
   * detector calls this every few frames, and the cost is kept down further by sampling every
   * other pixel of every other row for the cell means and rewriting only cells whose floor changed.
   */
  refresh(mad: Uint16Array): void {
    const { width, height, cellShift, gridW, gridH, cellMean, cellFloor, map, watch } = this;
    const size = 1 << cellShift;
    // 1. Mean deviation per cell, whole levels. Excluded pixels count: foliage just outside a zone
    //    still makes the watched pixels beside it flicker.
    for (let cy = 0; cy < gridH; cy++) {
      const y1 = Math.min((cy + 1) * size, height);
      for (let cx = 0; cx < gridW; cx++) {
        const x0 = cx * size;
        const x1 = Math.min(x0 + size, width);
        let sum = 0;
        let count = 0;
        for (let y = cy * size; y < y1; y += 2) {
          for (let i = y * width + x0, end = y * width + x1; i < end; i += 2) {
            sum += mad[i]!;
            count++;
          }
        }
        cellMean[cy * gridW + cx] = sum / count / 256;
      }
    }
    // 2. The largest mean of the 3x3 cell neighbourhood, capped below EXCLUDED; 3. spread it
    //    to the cell's pixels when it changed, keeping excluded pixels excluded.
    for (let cy = 0; cy < gridH; cy++) {
      for (let cx = 0; cx < gridW; cx++) {
        let max = 0;
        for (let ny = Math.max(0, cy - 1); ny <= Math.min(gridH - 1, cy + 1); ny++) {
          for (let nx = Math.max(0, cx - 1); nx <= Math.min(gridW - 1, cx + 1); nx++) {
            max = Math.max(max, cellMean[ny * gridW + nx]!);
          }
        }
        const value = Math.min(EXCLUDED - 1, max);
        const c = cy * gridW + cx;
        if (value === cellFloor[c]) continue;
        cellFloor[c] = value;
        const x0 = cx * size;
        const x1 = Math.min(x0 + size, width);
        for (let y = cy * size, y1 = Math.min(y + size, height); y < y1; y++) {
          for (let i = y * width + x0, end = y * width + x1; i < end; i++)
            map[i] = watch[i] ? value : EXCLUDED;
        }
      }
    }
  }
}
