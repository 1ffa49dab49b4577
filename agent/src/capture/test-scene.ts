/**
 * The lavfi filter graph of the `test` source: a synthetic camera for the demo and the tests.
 *
 * `moving-objects`: a static "yard" (sky band, house block) with three objects that enter, cross and
 * leave on different periods, so there are quiet gaps and overlapping motion:
 *   person  walks left→right   t mod 20 ∈ [0, 8)
 *   car     drives right→left  t mod 30 ∈ [10, 14)
 *   ball    bounces            t mod 45 ∈ [22, 34)
 * A 12-bit binary frame counter is burned into the top-left corner (white square = bit set, bit 0
 * leftmost). It needs no font, so it works on a Pi without fontconfig; each bit is ~1/80 of the width,
 * far below any sensible minimum motion area.
 * `static`: the background only, nothing changes (false-positive tests). `noise`: the background with
 * temporal sensor-like noise and the counter, nothing moves.
 */
export type TestScene = "moving-objects" | "static" | "noise";

export interface TestSceneOptions {
  width: number;
  height: number;
  fps: number;
  scene: TestScene;
  /** Burn the wall clock into the second row (see {@link CLOCK_BITS}); for latency benchmarks. */
  burnClock?: boolean;
}

/** Bits of the burned-in frame counter: wraps after 4096 frames (6.8 min at 10 fps). */
export const COUNTER_BITS = 12;

/** Side of one counter square in pixels (even, at least 2). */
export function counterCell(width: number): number {
  return Math.max(2, 2 * Math.round(width / 160));
}

export function testSceneGraph(o: TestSceneOptions): string {
  const { width: W, height: H, fps } = o;
  const background =
    `color=c=0x2f3b2f:s=${W}x${H}:r=${fps}` +
    ",drawbox=x=0:y=0:w=iw:h=ih*0.2:color=0x4a6080:t=fill" +
    ",drawbox=x=iw*0.05:y=ih*0.45:w=iw*0.3:h=ih*0.4:color=0x6b5b4b:t=fill" +
    ",drawbox=x=iw*0.6:y=ih*0.3:w=iw*0.12:h=ih*0.12:color=0x8a8a50:t=fill";
  const marks = o.burnClock ? `${counter(W)},${clock(W)}` : counter(W);
  if (o.scene === "static") {
    return `${background}${o.burnClock ? `,${clock(W)}` : ""},format=yuv420p[out0]`;
  }
  if (o.scene === "noise") return `${background},noise=alls=14:allf=t+u,${marks},format=yuv420p[out0]`;

  const obj = (name: string, color: string, w: number, h: number) =>
    `color=c=${color}:s=${even(w)}x${even(h)}:r=${fps}[${name}]`;
  return [
    `${background}[bg]`,
    obj("person", "0xd8d8d8", W * 0.06, H * 0.25),
    obj("car", "0xc03030", W * 0.2, H * 0.12),
    obj("ball", "0xe0c040", W * 0.06, W * 0.06),
    // Overlay expressions are evaluated per frame (eval=frame): W/H main size, w/h object size.
    "[bg][person]overlay=x='mod(t,20)*(W+w)/8-w':y='H*0.5':enable='lt(mod(t,20),8)'[s1]",
    "[s1][car]overlay=x='W-(mod(t,30)-10)*(W+w)/4':y='H*0.78':enable='between(mod(t,30),10,14)'[s2]",
    "[s2][ball]overlay=x='W*0.45+W*0.3*sin(t*1.3)':y='H*0.22+H*0.25*abs(sin(t*2.1))':" +
      `enable='between(mod(t,45),22,34)',${marks},format=yuv420p[out0]`,
  ].join(";");
}

function counter(width: number): string {
  const c = counterCell(width);
  const bits = Array.from(
    { length: COUNTER_BITS },
    (_, k) =>
      `drawbox=x=${k * c}:y=0:w=${c}:h=${c}:color=white:t=fill:enable='eq(mod(floor(n/${2 ** k}),2),1)'`,
  );
  return [`drawbox=x=0:y=0:w=${COUNTER_BITS * c}:h=${c}:color=black:t=fill`, ...bits].join(",");
}

/** Bits of the burned-in wall clock: milliseconds since the epoch modulo 2^22 (wraps every 70 min). */
export const CLOCK_BITS = 22;

/**
 * The wall clock, in milliseconds modulo 2^22, as squares in the second row (bit 0 leftmost), so a
 * page decoding the picture can tell how old a frame is. Every reader of the test source runs it
 * with `-re`, which paces the graph: a frame is stamped (RTCTIME, µs) when ffmpeg reads it, and the
 * regular timestamps come back from the frame number afterwards. (`realtime` on top of `-re`
 * starved the graph to ~4 fps.)
 */
function clock(width: number): string {
  const c = counterCell(width);
  const bits = Array.from(
    { length: CLOCK_BITS },
    (_, k) =>
      `drawbox=x=${k * c}:y=${c}:w=${c}:h=${c}:color=white:t=fill:enable='eq(mod(floor(t*1000/${2 ** k}),2),1)'`,
  );
  return [
    "settb=1/1000000,setpts=RTCTIME",
    `drawbox=x=0:y=${c}:w=${CLOCK_BITS * c}:h=${c}:color=black:t=fill`,
    ...bits,
    "setpts=N/FRAME_RATE/TB",
  ].join(",");
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}
