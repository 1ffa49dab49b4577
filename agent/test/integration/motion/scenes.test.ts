// End-to-end accuracy of the motion detector + event tracker on ffmpeg-rendered scenes with exact
// ground truth. Event-level F1 (see score.ts); every scene uses the default configuration except
// for the zone variants. Each scene renders in well under a second (no -re).

import { beforeAll, describe, expect, it } from "vitest";
import { MotionDetector } from "../../../src/motion/detector.js";
import { EventTracker } from "../../../src/motion/event-tracker.js";
import type { Box, Zone } from "../../../src/motion/types.js";
import {
  FOLIAGE_ZONE,
  FPS,
  HEIGHT,
  hasFfmpeg,
  OBJECT_PATH_ZONE,
  renderScene,
  SCENES,
  type SceneSpec,
  WIDTH,
} from "./scenes.js";
import { type EventScore, type Interval, scoreEvents } from "./score.js";

type SceneKey = keyof typeof SCENES;

interface Outcome {
  events: Interval[];
  score: EventScore;
  motionFrames: number;
  rebased: number;
  boxes: Box[];
}

/** Runs a scene's frames through a fresh detector and tracker, as the agent would. */
function analyse(scene: SceneSpec, frames: Uint8Array[], zones: Zone[] = [], truth = scene.truth): Outcome {
  const detector = new MotionDetector({ width: WIDTH, height: HEIGHT, zones });
  const tracker = new EventTracker();
  const events: Interval[] = [];
  const boxes: Box[] = [];
  let motionFrames = 0;
  let rebased = 0;
  const collect = (transitions: ReturnType<EventTracker["push"]>) => {
    for (const t of transitions)
      if (t.kind === "end") events.push({ startMs: t.event.startMs, endMs: t.endMs });
  };
  frames.forEach((frame, i) => {
    const tMs = (i * 1000) / FPS;
    const r = detector.process(frame, tMs);
    if (r.motion) motionFrames++;
    if (r.rebased) rebased++;
    boxes.push(...r.boxes);
    collect(tracker.push(r, tMs));
  });
  collect(tracker.flush((frames.length * 1000) / FPS));
  return { events, score: scoreEvents(truth, events), motionFrames, rebased, boxes };
}

const summary: Record<string, string> = {};
function record(label: string, o: Outcome): void {
  summary[label] =
    `F1 ${o.score.f1.toFixed(3)} (tp ${o.score.tp}, fp ${o.score.fp}, fn ${o.score.fn}), ` +
    `${o.events.length} events, ${o.motionFrames} motion frames, ${o.rebased} re-bases`;
}

describe.skipIf(!hasFfmpeg())("motion detection on rendered scenes", () => {
  const frames = {} as Record<SceneKey, Uint8Array[]>;

  beforeAll(async () => {
    const keys = Object.keys(SCENES) as SceneKey[];
    const rendered = await Promise.all(keys.map((k) => renderScene(SCENES[k])));
    keys.forEach((k, i) => {
      frames[k] = rendered[i]!;
    });
    return () => console.table(summary);
  });

  const analysed = (key: SceneKey, zones?: Zone[], label: string = key, truth?: Interval[]): Outcome => {
    const outcome = analyse(SCENES[key], frames[key], zones, truth);
    record(label, outcome);
    return outcome;
  };

  it("renders every scene completely", () => {
    for (const key of Object.keys(SCENES) as SceneKey[]) {
      expect(frames[key], key).toHaveLength(SCENES[key].seconds * FPS);
    }
  });

  it("finds each appearance of a moving object as one event, promptly", () => {
    const o = analysed("object");
    expect(o.score.f1).toBeGreaterThanOrEqual(0.95);
    expect(o.events).toHaveLength(SCENES.object.truth.length);
    // Latency goal: first motion within 3 frames of the object appearing; the event's start is
    // that first frame (the tracker back-dates it after the minimum duration).
    for (const l of o.score.latenciesMs) expect(l).toBeLessThanOrEqual(300);
  });

  it("finds a small, low-contrast object (about 17 levels, 0.25 % of the frame)", () => {
    const o = analysed("small");
    expect(o.score.f1).toBeGreaterThanOrEqual(0.95);
    // The first appearance starts during warm-up (at 2.0 s; 25 frames = 2.5 s), so it can only be
    // seen later; the others within the 3-frame latency goal.
    const [first, ...rest] = o.score.latenciesMs;
    expect(first).toBeLessThanOrEqual(1000);
    for (const l of rest) expect(l).toBeLessThanOrEqual(300);
  });

  it("raises no event for brightness steps, a ramp and a contrast change; it re-bases instead", () => {
    const o = analysed("light");
    expect(o.events).toEqual([]);
    expect(o.motionFrames).toBe(0);
    expect(o.rebased).toBeGreaterThanOrEqual(3);
  });

  it("raises no event for heavy sensor noise", () => {
    const o = analysed("noise");
    expect(o.events).toEqual([]);
    expect(o.motionFrames).toBe(0);
  });

  it("raises no event for swaying foliage alone", () => {
    const o = analysed("foliage");
    expect(o.events).toEqual([]);
  });

  it("finds the object beside swaying foliage without a zone", () => {
    const o = analysed("foliageObject");
    expect(o.score.f1).toBeGreaterThanOrEqual(0.95);
  });

  it("finds the object beside foliage that an exclude zone covers, and nothing in the zone", () => {
    const o = analysed("foliageObject", [FOLIAGE_ZONE], "foliageObject + exclude zone");
    expect(o.score.f1).toBeGreaterThanOrEqual(0.95);
    const [x0, y0] = FOLIAGE_ZONE.points[0]!;
    const [x1, y1] = FOLIAGE_ZONE.points[2]!;
    const inside = (b: Box) => b.x >= x0 && b.y >= y0 && b.x + b.w <= x1 && b.y + b.h <= y1;
    expect(o.boxes.filter(inside)).toEqual([]);
  });

  it("raises no event when an exclude zone covers the object's whole path", () => {
    // Nothing visible happens in the watched area, so the truth is empty.
    const o = analysed("object", [OBJECT_PATH_ZONE], "object + exclude zone on its path", []);
    expect(o.events).toEqual([]);
  });
});
