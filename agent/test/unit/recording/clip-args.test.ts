import { describe, expect, it } from "vitest";
import { clipArgs, concatList, cutAtKeyframe } from "../../../src/recording/clip-args.js";

describe("concatList", () => {
  it("quotes every path and escapes single quotes", () => {
    expect(concatList(["/ring/a.ts", "/ring/it's here.ts"])).toBe(
      "ffconcat version 1.0\nfile '/ring/a.ts'\nfile '/ring/it'\\''s here.ts'\n",
    );
  });
});

describe("cutAtKeyframe", () => {
  it.each([
    { seekMs: 0, keyframes: [0, 1000], cut: 0 },
    { seekMs: 999, keyframes: [0, 1000], cut: 0 },
    { seekMs: 1000, keyframes: [0, 1000], cut: 1000 },
    { seekMs: 1500, keyframes: [0, 1000], cut: 1000 },
    { seekMs: 1500, keyframes: [1000, 0], cut: 1000 },
    { seekMs: 700, keyframes: [], cut: 0 },
    { seekMs: 1900, keyframes: [0], cut: 0 },
  ])("seek $seekMs with key frames $keyframes → $cut", ({ seekMs, keyframes, cut }) => {
    expect(cutAtKeyframe(seekMs, keyframes)).toBe(cut);
  });
});

describe("clipArgs", () => {
  const base = { listPath: "/c/list", outPath: "/c/out.mp4" };

  it("stream-copies the concat list into fragmented MP4", () => {
    const args = clipArgs({ ...base, cutMs: 0, endMs: 12_000 }).join(" ");
    expect(args).toContain("-f concat -safe 0 -i /c/list");
    expect(args).toContain("-c copy");
    expect(args).toContain("-movflags +frag_keyframe+empty_moov+default_base_moof -f mp4");
    expect(args.endsWith("/c/out.mp4")).toBe(true);
  });

  it.each([
    { cutMs: 0, endMs: 12_000, ss: undefined, t: "12.000" },
    { cutMs: 1000, endMs: 6500, ss: "0.999", t: "5.501" },
    { cutMs: 1000, endMs: 800, ss: "0.999", t: "0.000" },
  ])("cut $cutMs end $endMs → -ss $ss -t $t (output-side)", ({ cutMs, endMs, ss, t }) => {
    const args = clipArgs({ ...base, cutMs, endMs });
    const input = args.indexOf("-i");
    const at = (flag: string) => {
      const i = args.indexOf(flag);
      return i < 0 ? undefined : args[i + 1];
    };
    expect(at("-ss")).toBe(ss);
    expect(at("-t")).toBe(t);
    if (ss) expect(args.indexOf("-ss")).toBeGreaterThan(input);
    expect(args.indexOf("-t")).toBeGreaterThan(input);
  });
});
