// The latency sampler that runs in the live page (installed with page.evaluate, which goes through
// the DevTools protocol, so the agent's CSP that forbids inline script does not stand in the way).
// On every new frame (requestVideoFrameCallback, else requestAnimationFrame with repeats skipped) it
// draws the clock row of the picture to a canvas, reads the centre pixel of each of the 22 squares
// (white = 1, bit 0 leftmost, see agent/src/capture/test-scene.ts) and records
// `Date.now() mod 2^22 − burned`: the page and the ffmpeg that stamped the frame share one clock.

export interface SamplerConfig {
  /** Side of one square, px (counterCell(width)). */
  cell: number;
  bits: number;
  warmupMs: number;
  samples: number;
  /** Readings outside [−toleranceMs, maxMs] are misread squares, counted apart. */
  toleranceMs: number;
  maxMs: number;
}

/** What the page has collected so far (window.__homecamLatency). */
export interface SamplerState {
  latencies: number[];
  rejected: number;
  frames: number;
  api: string;
}

export const SAMPLER_GLOBAL = "__homecamLatency";

/** JS source of `(config) => api`, to call through `page.evaluate`. */
export const INSTALL_SAMPLER = `((cfg) => {
  const video = document.querySelector("homecam-live video");
  const MOD = 2 ** cfg.bits;
  const w = cfg.bits * cfg.cell;
  const mid = cfg.cell >> 1;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = cfg.cell;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rvfc = typeof video.requestVideoFrameCallback === "function";
  const s = { latencies: [], rejected: 0, frames: 0, api: rvfc ? "requestVideoFrameCallback" : "requestAnimationFrame" };
  window.${SAMPLER_GLOBAL} = s;
  const warmUntil = Date.now() + cfg.warmupMs;
  let last = -1;
  const read = () => {
    const now = Date.now();
    ctx.drawImage(video, 0, cfg.cell, w, cfg.cell, 0, 0, w, cfg.cell);
    const px = ctx.getImageData(0, 0, w, cfg.cell).data;
    let burned = 0;
    for (let k = 0; k < cfg.bits; k++) {
      const i = (mid * w + k * cfg.cell + mid) * 4;
      if (0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2] > 128) burned += 2 ** k;
    }
    if (burned === last) return;
    last = burned;
    s.frames += 1;
    if (now < warmUntil) return;
    let lat = ((((now % MOD) - burned) % MOD) + MOD) % MOD;
    if (lat >= MOD / 2) lat -= MOD;
    if (lat < -cfg.toleranceMs || lat > cfg.maxMs) s.rejected += 1;
    else s.latencies.push(lat);
  };
  const next = () => (rvfc ? video.requestVideoFrameCallback(loop) : requestAnimationFrame(loop));
  const loop = () => {
    if (s.latencies.length >= cfg.samples) return;
    if (video.videoWidth > 0) read();
    next();
  };
  next();
  return s.api;
})`;
