// The detector's first step: low-pass the frame before anything is compared.
//
// Why blur at all: averaging neighbours divides independent per-pixel sensor noise (by 2 for a 2x2
// box, by ~2.7 for the 3x3 binomial) and smooths H.264 block edges, so the per-pixel threshold can
// stay low enough for low-contrast objects.
//
// Two variants. Frames at least 256 px wide are box-averaged 2x2 and decimated: that is the blur
// and a 4x cut of every later per-pixel step at once (Frigate analyses at 100 px high for the same
// reason); at 160x90 a 12x12 px object still covers 36 analysis pixels. Measured on the x86
// reference VM, the full-size 3x3 blur alone costs ~3.3 ns/px, more than the whole 3 ns/px budget;
// the 2x2 box costs ~0.5. Narrower frames keep their resolution and get the 3x3 binomial, which is
// exact in integer math.

/**
 * 2x2 box average with decimation: `dst` is floor(width/2) x floor(height/2); an odd last column or
 * row is dropped (at most one pixel of 256+).
 */
export function downsample2x2(src: Uint8Array, dst: Uint8Array, width: number, height: number): void {
  const w = width >> 1;
  const h = height >> 1;
  for (let y = 0; y < h; y++) {
    let top = 2 * y * width;
    let bottom = top + width;
    const end = (y + 1) * w;
    for (let o = y * w; o < end; o++, top += 2, bottom += 2) {
      dst[o] = (src[top]! + src[top + 1]! + src[bottom]! + src[bottom + 1]! + 2) >> 2;
    }
  }
}

// 3x3 binomial blur ([1 2 1] x [1 2 1] / 16), separable; for frames too narrow to decimate.

/**
 * Blurs `src` into `dst` (both `width * height` bytes). `tmp` is caller-owned scratch of the same
 * length so nothing is allocated per frame. Borders replicate the edge pixel.
 */
export function blur3x3(
  src: Uint8Array,
  dst: Uint8Array,
  tmp: Uint16Array,
  width: number,
  height: number,
): void {
  // Horizontal pass: a rolling window keeps one load and one store per pixel.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const last = row + width - 1;
    let a = src[row]!;
    let b = a;
    for (let i = row; i < last; i++) {
      const c = src[i + 1]!;
      tmp[i] = a + 2 * b + c;
      a = b;
      b = c;
    }
    tmp[last] = a + 3 * b;
  }
  // Vertical pass, rounding to nearest (+8) before the divide by 16.
  for (let y = 0; y < height; y++) {
    const mid = y * width;
    const up = y > 0 ? mid - width : mid;
    const down = y < height - 1 ? mid + width : mid;
    for (let x = 0; x < width; x++) {
      dst[mid + x] = (tmp[up + x]! + 2 * tmp[mid + x]! + tmp[down + x]! + 8) >> 4;
    }
  }
}
