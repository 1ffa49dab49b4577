// Command-line options of bench/live. `--quick` is the smoke test's tiny configuration; any option
// given after it still wins.

export interface LiveBenchOptions {
  /** Latency samples to collect per transport, after the warm-up. */
  samples: number;
  /** Seconds of playback discarded before sampling starts. */
  warmupS: number;
  /** Concurrent viewers of the "many" CPU run (compared with 1). */
  viewers: number;
  /** Seconds of each CPU window. */
  windowS: number;
  /** Seconds between every viewer receiving packets and the start of a CPU window. */
  settleS: number;
  width: number;
  height: number;
  fps: number;
  chromium: string;
  quick: boolean;
}

const DEFAULTS: LiveBenchOptions = {
  samples: 150,
  warmupS: 3,
  viewers: 10,
  windowS: 10,
  settleS: 3,
  width: 640,
  height: 360,
  fps: 15,
  chromium: process.env["HOMECAM_CHROMIUM"] ?? "/usr/bin/chromium",
  quick: false,
};

const QUICK: Partial<LiveBenchOptions> = { samples: 20, warmupS: 1, viewers: 3, windowS: 3, settleS: 1 };

type NumericKey = "samples" | "warmupS" | "viewers" | "windowS" | "settleS" | "width" | "height" | "fps";
const NUMERIC: Record<string, { key: NumericKey; min: number; max: number; int: boolean }> = {
  "--samples": { key: "samples", min: 10, max: 10_000, int: true },
  "--warmup": { key: "warmupS", min: 0, max: 60, int: false },
  "--viewers": { key: "viewers", min: 2, max: 50, int: true },
  "--window": { key: "windowS", min: 1, max: 120, int: false },
  "--settle": { key: "settleS", min: 0, max: 60, int: false },
  "--width": { key: "width", min: 160, max: 1920, int: true },
  "--height": { key: "height", min: 120, max: 1080, int: true },
  "--fps": { key: "fps", min: 5, max: 30, int: true },
};

export function parseOptions(argv: readonly string[]): LiveBenchOptions {
  const opts: LiveBenchOptions = {
    ...DEFAULTS,
    ...(argv.includes("--quick") ? { ...QUICK, quick: true } : {}),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    if (flag === "--quick") continue;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i += 1;
    if (flag === "--chromium") {
      opts.chromium = value;
      continue;
    }
    const spec = NUMERIC[flag];
    if (!spec) throw new Error(`unknown option ${flag}`);
    const n = Number(value);
    if (!Number.isFinite(n) || n < spec.min || n > spec.max || (spec.int && !Number.isInteger(n))) {
      throw new Error(`${flag} must be ${spec.int ? "an integer" : "a number"} in ${spec.min}–${spec.max}`);
    }
    opts[spec.key] = n;
  }
  if (opts.width % 2 || opts.height % 2) throw new Error("--width and --height must be even");
  return opts;
}
