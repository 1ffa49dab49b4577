// Event-level scoring against ground truth: what a user experiences is events (one notification,
// one clip per appearance), so precision/recall are counted per event, not per frame.

export interface Interval {
  startMs: number;
  endMs: number;
}

export interface EventScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Start delay of each matched detection relative to its truth interval, ms. */
  latenciesMs: number[];
}

/**
 * One-to-one matching: a detected event matches a truth interval it overlaps (the truth widened by
 * `toleranceMs` on both sides, for detection latency and the tracker's minimum duration). Each
 * truth takes the unmatched detection with the largest overlap, so one appearance split into two
 * events costs a false positive and two appearances merged into one event cost a false negative.
 * Conventions: nothing expected and nothing detected scores 1; precision with no detections is 1.
 */
export function scoreEvents(truth: Interval[], detected: Interval[], toleranceMs = 1000): EventScore {
  const used = new Set<number>();
  const latenciesMs: number[] = [];
  let tp = 0;
  for (const t of truth) {
    let best = -1;
    let bestOverlap = -1;
    detected.forEach((d, j) => {
      if (used.has(j)) return;
      const overlap = Math.min(d.endMs, t.endMs + toleranceMs) - Math.max(d.startMs, t.startMs - toleranceMs);
      if (overlap >= 0 && overlap > bestOverlap) {
        best = j;
        bestOverlap = overlap;
      }
    });
    if (best >= 0) {
      used.add(best);
      tp++;
      latenciesMs.push(detected[best]!.startMs - t.startMs);
    }
  }
  const fp = detected.length - tp;
  const fn = truth.length - tp;
  const precision = detected.length === 0 ? 1 : tp / detected.length;
  const recall = truth.length === 0 ? 1 : tp / truth.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1, latenciesMs };
}
