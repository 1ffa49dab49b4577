// The motion detector: one gray frame in, one MotionResult out. Pure and synchronous; all buffers
// are allocated in the constructor, so a frame costs no garbage except the small result object.
//
// Per frame: blur (2x2 box + decimation from 256 px wide, else 3x3) -> global brightness offset
// (sparse median) -> fused kernel (difference, adaptive per-pixel threshold, zone mask, background +
// deviation update) -> lighting guard -> cell counts and connected regions -> score and boxes.
// Everything after the blur works at the analysis resolution; boxes are normalised, so callers
// never see it.

import { BackgroundModel, type KernelParams } from "./background.js";
import { blur3x3, downsample2x2 } from "./blur.js";
import { DeviationFloor } from "./floor.js";
import { RegionFinder } from "./regions.js";
import { type SensitivityParams, sensitivityParams } from "./sensitivity.js";
import type { MotionDetectorOptions, MotionResult } from "./types.js";
import { rasterizeZones } from "./zones.js";

export const DEFAULT_WARMUP_FRAMES = 25;
/** Frames after a re-base during which nothing fires while the new background settles. */
const SETTLE_FRAMES = 5;
/** Steady learning rates (right shifts): background pixels 1/32 per frame, changed pixels 1/256. */
const BG_SHIFT = 5;
const FG_SHIFT = 8;
/** Deviation every pixel starts with, in levels, before warm-up has measured the real one. */
const MAD_INIT = 2;
/** Accepted regions reported per frame; more is clutter, not information. */
const MAX_BOXES = 16;
/** Region area (fraction of the frame) at which the score reaches 1. */
const FULL_SCORE_AREA = 0.1;
/** Frames at least this wide are analysed at half size (see blur.ts). */
const DECIMATE_FROM_WIDTH = 256;
/**
 * The lighting guard's own pixel test (levels; quarter units), independent of the sensitivity: a
 * light change is a property of the scene, not of how small an object the user wants reported.
 */
const GUARD_BASE_Q8 = 10 << 8;
const GUARD_K_Q2 = 16;
/** Neighbourhood deviation floors are recomputed every this many frames (they drift slowly). */
const FLOOR_EVERY = 4;

export class MotionDetector {
  readonly width: number;
  readonly height: number;
  readonly params: SensitivityParams;
  /** Watched pixels after zones (0 = the zones exclude everything: nothing ever fires). */
  readonly activePixels: number;
  /** Analysis resolution: the input size, or half of it (see blur.ts). */
  readonly analysisWidth: number;
  readonly analysisHeight: number;
  private readonly decimate: boolean;
  private readonly floor: DeviationFloor;
  private readonly blurred: Uint8Array;
  private readonly scratch: Uint16Array;
  private readonly fg: Uint8Array;
  private readonly cells: Uint32Array;
  private readonly model: BackgroundModel;
  private readonly regions: RegionFinder;
  private readonly kernel: KernelParams;
  private readonly cellShift: number;
  private readonly minCellCount: number;
  private readonly minAreaPixels: number;
  private readonly warmupFrames: number;
  private frames = 0;
  private settle = 0;

  constructor(options: MotionDetectorOptions) {
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
      throw new RangeError(`frame size must be integers >= 8, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.params = sensitivityParams(options.sensitivity);
    this.decimate = width >= DECIMATE_FROM_WIDTH && height >= DECIMATE_FROM_WIDTH / 4;
    const aw = this.decimate ? width >> 1 : width;
    const ah = this.decimate ? height >> 1 : height;
    this.analysisWidth = aw;
    this.analysisHeight = ah;
    const zones = rasterizeZones(options.zones ?? [], aw, ah);
    this.activePixels = zones.active;
    const n = aw * ah;
    this.blurred = new Uint8Array(n);
    this.scratch = new Uint16Array(this.decimate ? 0 : n);
    this.fg = new Uint8Array(n);
    this.model = new BackgroundModel(aw, ah);
    // About 40 cells across: 4 px cells at 160 analysis px (8 input px at 320), 8 at 320.
    this.cellShift = Math.min(5, Math.max(2, Math.round(Math.log2(aw / 40))));
    this.regions = new RegionFinder(aw, ah, this.cellShift);
    this.floor = new DeviationFloor(zones.mask, aw, ah, this.cellShift);
    this.cells = new Uint32Array(this.regions.gridW * this.regions.gridH);
    // A cell joins a region when 1/8 of it changed: isolated noise pixels never reach that.
    this.minCellCount = Math.max(2, (1 << (2 * this.cellShift)) >> 3);
    const minArea = options.minAreaFraction ?? this.params.minAreaFraction;
    this.minAreaPixels = Math.max(this.minCellCount, Math.round(Math.min(1, Math.max(0, minArea)) * n));
    this.warmupFrames = Math.max(1, Math.round(options.warmupFrames ?? DEFAULT_WARMUP_FRAMES));
    this.kernel = {
      baseQ8: this.params.pixelThreshold << 8,
      kQ2: this.params.noiseMultiplierQ2,
      offsetQ8: 0,
      bgShift: BG_SHIFT,
      bgShiftFg: FG_SHIFT,
      madShift: BG_SHIFT,
      madShiftFg: FG_SHIFT,
    };
  }

  /** Forgets the learnt background (e.g. after the camera reconnected or moved). */
  reset(): void {
    this.frames = 0;
    this.settle = 0;
  }

  /** `frame`: width*height gray bytes. `tMs` is accepted for symmetry with the tracker, not used. */
  process(frame: Uint8Array, _tMs: number): MotionResult {
    const { width, height, model, params, kernel } = this;
    if (frame.length !== width * height) {
      throw new RangeError(`frame has ${frame.length} bytes, expected ${width * height}`);
    }
    if (this.decimate) downsample2x2(frame, this.blurred, width, height);
    else blur3x3(frame, this.blurred, this.scratch, width, height);
    if (this.frames === 0) {
      model.reset(this.blurred, MAD_INIT);
      this.frames = 1;
      return idle(0, false);
    }
    this.frames++;
    const warming = this.frames <= this.warmupFrames;

    // A global brightness shift is either compensated (small: exposure drift, a slow ramp) or, when
    // large, treated as a lighting change before the kernel runs, so the step never inflates the
    // per-pixel deviations it would otherwise be mistaken for.
    const offset = model.medianOffset(this.blurred);
    if (!warming && Math.abs(offset) >= params.lightOffset) {
      return this.rebase(model.sampledChangedFraction(0, GUARD_BASE_Q8, GUARD_K_Q2));
    }
    kernel.offsetQ8 = Math.max(-params.lightOffset, Math.min(params.lightOffset, offset)) << 8;
    // Non-uniform lighting changes (a lamp, IR switching, a contrast jump) are not a shift the
    // median can remove, but they change a large part of the frame at once, which objects rarely do.
    if (!warming) {
      const spread = model.sampledChangedFraction(kernel.offsetQ8, GUARD_BASE_Q8, GUARD_K_Q2);
      if (spread > params.lightChangeFraction) return this.rebase(spread);
    }
    this.setRates(warming);
    if (this.frames % FLOOR_EVERY === 0) this.floor.refresh(model.mad);
    const changed = model.update(this.blurred, this.floor.map, kernel, this.fg);
    const changedFraction = this.activePixels > 0 ? changed / this.activePixels : 0;

    // The same guard on every pixel (the sampled one above can miss by a few percent); with the
    // user's threshold, which at high sensitivities flags more than the guard's fixed one does.
    if (!warming && changedFraction > params.lightChangeFraction) return this.rebase(changedFraction);
    if (warming) return idle(changedFraction, false);
    if (this.settle > 0) {
      this.settle--;
      return idle(changedFraction, false);
    }

    // No region can reach the minimum area with fewer changed pixels in total: skip the grid work.
    const regions = this.regions;
    if (changed < this.minAreaPixels) return idle(changedFraction, false);
    regions.countCells(this.fg, this.cells);
    if (regions.find(this.cells, this.minCellCount, this.minAreaPixels) === 0) {
      return idle(changedFraction, false);
    }
    // Square root so small objects still score visibly: 0.1 % of the frame -> 0.1, 10 % -> 1.
    const score = Math.min(1, Math.sqrt(regions.totalArea / (FULL_SCORE_AREA * this.fg.length)));
    return { score, boxes: regions.boxes(MAX_BOXES), changedFraction, rebased: false, motion: true };
  }

  private rebase(changedFraction: number): MotionResult {
    this.model.rebase(this.blurred);
    this.settle = SETTLE_FRAMES;
    return idle(changedFraction, true);
  }

  /**
   * Learning-rate schedule. Warm-up: every pixel learns, fast at first (1/2, 1/4 ... like a
   * cumulative mean) so background and deviations are both measured by the end of the warm-up. Settling after a re-base: the
   * background (copied from one noisy frame) averages quickly while deviations stay frozen, so
   * the transient does not desensitise the scene. Otherwise: the steady selective rates.
   */
  private setRates(warming: boolean): void {
    const k = this.kernel;
    if (warming) {
      const shift = Math.min(BG_SHIFT, Math.floor(Math.log2(this.frames)));
      k.bgShift = k.bgShiftFg = k.madShift = k.madShiftFg = shift;
    } else if (this.settle > 0) {
      k.bgShift = k.bgShiftFg = 2;
      k.madShift = k.madShiftFg = 10;
    } else {
      k.bgShift = k.madShift = BG_SHIFT;
      k.bgShiftFg = k.madShiftFg = FG_SHIFT;
    }
  }
}

function idle(changedFraction: number, rebased: boolean): MotionResult {
  return { score: 0, boxes: [], changedFraction, rebased, motion: false };
}
