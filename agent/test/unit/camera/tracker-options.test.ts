import { agentConfigSchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { trackerOptionsFor } from "../../../src/camera/tracker-options.js";
import { EventTracker } from "../../../src/motion/index.js";

const camera = (analysisFps: number) =>
  agentConfigSchema.parse({
    cameras: [{ id: "c", name: "C", source: { type: "test" }, motion: { analysisFps } }],
  }).cameras[0]!;

describe("trackerOptionsFor", () => {
  it.each([
    [1, 1500],
    [2, 750],
    [5, 400],
    [15, 400],
  ])("analysisFps %d → dropout %d ms", (fps, dropout) => {
    const cam = camera(fps);
    expect(trackerOptionsFor(cam.motion, cam.recording)).toMatchObject({
      dropoutMs: dropout,
      eventGapMs: 5000,
      maxDurationMs: 60_000,
    });
  });

  it.each([1, 2, 2.4, 5])("a camera analysed at %d fps records an event from steady motion", (fps) => {
    const cam = camera(fps);
    const tracker = new EventTracker(trackerOptionsFor(cam.motion, cam.recording));
    const motion = {
      score: 0.5,
      boxes: [{ x: 0.1, y: 0.1, w: 0.2, h: 0.2 }],
      changedFraction: 0.05,
      rebased: false,
      motion: true,
    };
    const kinds: string[] = [];
    for (let i = 0; i < 40; i++) kinds.push(...tracker.push(motion, (i * 1000) / fps).map((t) => t.kind));
    expect(kinds).toContain("start");
  });
});
