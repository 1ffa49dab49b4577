// Smoke test of bench/motion: the pure parts (command adaptation, Motion config, ground truth) and
// one short run of both sides on a tiny generated file. No timing assertions: the real numbers come
// from `npx tsx bench/motion/run.ts` on a quiet machine.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cameraConfigSchema } from "@homecam/shared";
import { afterAll, describe, expect, it } from "vitest";
import { buildCaptureCommand } from "../../agent/src/capture/ffmpeg-args.js";
import { motionConfig, runMotionSide } from "../motion/motion-side.js";
import { adaptPlan, PLACEHOLDER_URL, PRODUCT, VARIANTS } from "../motion/ours-plan.js";
import { prepareWorker, runOursSide } from "../motion/ours-side.js";
import { appearances, ensureScene, framesBefore, SCENE_SPECS, sceneGraph } from "../motion/scene.js";
import { cpuPer1000, totalPeakKb } from "../motion/types.js";

const has = (tool: string) => !spawnSync(tool, ["-h"], { stdio: "ignore" }).error;
const dir = mkdtempSync(join(tmpdir(), "homecam-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function productPlan() {
  const camera = cameraConfigSchema.parse({
    id: "bench",
    name: "Bench",
    source: { type: "rtsp", url: PLACEHOLDER_URL, transport: "tcp" },
  });
  const built = buildCaptureCommand(camera, { ringDir: "/ring", startNumber: 0 });
  if (!built.ok) throw built.error;
  return built.plan;
}

describe("bench/motion pure parts", () => {
  it("plays the file at real time with the product's decoder options and outputs", () => {
    const plan = adaptPlan(productPlan(), { input: { kind: "file", file: "/f.mp4" }, variant: PRODUCT });
    const args = plan.args.join(" ");
    expect(args).toContain("-skip_loop_filter all -threads 1 -re -i /f.mp4 -map 0:v:0 -c:v copy -f segment");
    expect(args).toContain("-vf fps=5,scale=320:-2:flags=fast_bilinear,format=gray -f rawvideo pipe:1");
    expect(args).not.toContain("rtsp");
    expect(args).not.toContain("-timeout");
  });

  it("keeps the product's RTSP command verbatim for an RTSP feed", () => {
    const url = "rtsp://127.0.0.1:8554/360p";
    const camera = cameraConfigSchema.parse({
      id: "b",
      name: "B",
      source: { type: "rtsp", url, transport: "tcp" },
    });
    const built = buildCaptureCommand(camera, { ringDir: "/ring", startNumber: 0 });
    if (!built.ok) throw built.error;
    const plan = adaptPlan(built.plan, { input: { kind: "rtsp", url }, variant: PRODUCT });
    expect(plan.args).toEqual(built.plan.args);
  });

  it("applies variants", () => {
    const variant = (name: string) => VARIANTS.find((v) => v.name === name)!;
    const noRing = adaptPlan(productPlan(), {
      input: { kind: "file", file: "/f.mp4" },
      variant: variant("no-ring"),
    });
    expect(noRing.args.join(" ")).not.toContain("segment");
    expect(noRing.pipes.map((p) => p.role)).toEqual(["analysis"]);
    const key = adaptPlan(productPlan(), {
      input: { kind: "file", file: "/f.mp4" },
      variant: variant("keyframes"),
    }).args.join(" ");
    expect(key).toContain("-threads 1 -skip_frame nokey -re -i /f.mp4");
    const lf = adaptPlan(productPlan(), {
      input: { kind: "file", file: "/f.mp4" },
      variant: variant("loop-filter-on"),
    }).args.join(" ");
    expect(lf).not.toContain("skip_loop_filter");
  });

  it("places three appearances in a minute, each its own event", () => {
    expect(appearances(60)).toEqual([
      [8, 15],
      [26, 33],
      [44, 51],
    ]);
    expect(appearances(12)).toEqual([]);
    expect(sceneGraph({ ...SCENE_SPECS["360p"], seconds: 60 })).toContain("between(t\\,44\\,51)");
  });

  it("turns a read offset into frames read", () => {
    const scene = { positions: [100, 200, 300] };
    expect([50, 100, 101, 300, 301].map((p) => framesBefore(scene, p))).toEqual([0, 0, 1, 2, 3]);
  });

  it("configures Motion paced at the source rate, events only", () => {
    const scene = {
      ...SCENE_SPECS["1080p"],
      seconds: 60,
      file: "/s.mp4",
      frames: 900,
      positions: [],
      truth: [],
    };
    const conf = motionConfig({ scene, dir: "/w", eventGapS: 5, feed: { kind: "file" } });
    for (const line of [
      "netcam_url file:///s.mp4",
      "netcam_params capture_rate=15",
      "threshold 4500",
      "event_gap 5",
      "movie_output off",
      "picture_output off",
    ]) {
      expect(conf).toContain(line);
    }
  });
});

describe.skipIf(!has("ffmpeg") || !has("motion"))("bench/motion on a tiny file", () => {
  it("measures both sides", async () => {
    const scene = await ensureScene({ ...SCENE_SPECS["360p"], seconds: 10 }, dir);
    expect(scene.frames).toBe(100);
    const worker = await prepareWorker(dir);
    // Concurrently, to stay short: this checks that the code runs, not what it measures.
    const [motion, ours] = await Promise.all([
      runMotionSide({ scene, dir: join(dir, "motion"), eventGapS: 1, feed: { kind: "file" } }),
      runOursSide({
        scene,
        variant: PRODUCT,
        worker,
        feed: { kind: "file" },
        outDir: dir,
        jitWarmupFrames: 50,
      }),
    ]);
    for (const side of [motion, ours]) {
      expect(side.windowFrames).toBeGreaterThan(30);
      expect(cpuPer1000(side)).toBeGreaterThan(0);
      expect(totalPeakKb(side)).toBeGreaterThan(1000);
      expect(Array.isArray(side.events)).toBe(true);
    }
    expect(ours.processes.map((p) => p.name)).toEqual(["node", "ffmpeg"]);
    expect(ours.report.frames).toBeGreaterThan(40);
  }, 29_000);
});
