import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnalysisFrame, FrameReader } from "../../../src/capture/index.js";

/** A byte stream of `count` frames whose every byte encodes (frame, offset), so misalignment shows. */
function stream(width: number, height: number, count: number): Uint8Array {
  const size = width * height;
  const out = new Uint8Array(size * count);
  for (let f = 0; f < count; f++) for (let i = 0; i < size; i++) out[f * size + i] = (f * 31 + i * 7) & 0xff;
  return out;
}

function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) chunks.push(bytes.slice(prev, p));
    prev = p;
  }
  return chunks;
}

/** Copies what the callback is lent (a real consumer must, too). */
function collect(reader: (on: (f: AnalysisFrame) => void) => FrameReader) {
  const frames: Array<{ data: Uint8Array; ts: number; seq: number }> = [];
  const r = reader((f) => frames.push({ data: f.data.slice(), ts: f.timestampMs, seq: f.seq }));
  return { r, frames };
}

describe("FrameReader", () => {
  it("splits any chunking of the stream into the exact frames (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (w, h, count, cuts) => {
          const bytes = stream(w, h, count);
          const { r, frames } = collect((on) => new FrameReader(on, { size: { width: w, height: h } }));
          const chunks = cut(bytes, cuts);
          for (const [i, c] of chunks.entries()) r.push(c, 1000 + i);
          expect(frames.map((f) => f.seq)).toEqual([...Array(count).keys()]);
          for (const [i, f] of frames.entries())
            expect(f.data).toEqual(bytes.subarray(i * w * h, (i + 1) * w * h));
          // Each frame carries the arrival time of the chunk that completed it.
          let end = 0;
          const completedBy = chunks.map((c) => (end += c.length));
          frames.forEach((f, i) => {
            const chunk = completedBy.findIndex((e) => e >= (i + 1) * w * h);
            expect(f.ts).toBe(1000 + chunk);
          });
        },
      ),
    );
  });

  it("lends a view of the chunk for whole frames and its own buffer for split ones", () => {
    const lent: Uint8Array[] = [];
    const r = new FrameReader((f) => lent.push(f.data), { size: { width: 2, height: 2 } });
    const chunk = new Uint8Array(10);
    r.push(chunk, 1); // frames 0 and 1 whole in the chunk, 2 bytes of frame 2 kept
    r.push(new Uint8Array(2), 2); // completes frame 2
    r.push(new Uint8Array(4), 3);
    expect(lent[0]!.buffer).toBe(chunk.buffer);
    expect(lent[1]!.buffer).toBe(chunk.buffer);
    expect(lent[2]!.buffer).not.toBe(chunk.buffer);
    expect(lent[3]!.buffer).not.toBe(chunk.buffer); // a later chunk's view, never a new allocation per frame
  });

  it("reuses one frame object (valid only during the callback)", () => {
    const seen = new Set<AnalysisFrame>();
    const r = new FrameReader((f) => seen.add(f), { size: { width: 2, height: 1 } });
    r.push(new Uint8Array(8), 1);
    expect(seen.size).toBe(1);
    expect(r.frames).toBe(4);
  });

  it("holds bytes until the size is known, with their arrival times (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
        const bytes = stream(4, 3, 5);
        const { r, frames } = collect((on) => new FrameReader(on));
        const chunks = cut(bytes, cuts);
        for (const [i, c] of chunks.entries()) r.push(c, i);
        expect(frames).toHaveLength(0);
        r.setSize(4, 3);
        expect(frames).toHaveLength(5);
        for (const [i, f] of frames.entries()) expect(f.data).toEqual(bytes.subarray(i * 12, (i + 1) * 12));
      }),
    );
  });

  it("realigns to a frame boundary when it had to drop bytes while waiting for the size", () => {
    const bytes = stream(4, 4, 6); // 16-byte frames
    const { r, frames } = collect((on) => new FrameReader(on, { maxPendingBytes: 40 }));
    for (let i = 0; i < bytes.length; i += 10) r.push(bytes.subarray(i, i + 10), i);
    r.setSize(4, 4);
    // 96 bytes arrived in 10-byte chunks, 36 kept: the first 60 were dropped, so the next boundary is byte 64.
    expect(frames.map((f) => f.data)).toEqual([bytes.subarray(64, 80), bytes.subarray(80, 96)]);
  });

  it("rejects a second, different size", () => {
    const r = new FrameReader(() => {}, { size: { width: 4, height: 2 } });
    expect(() => r.setSize(4, 2)).not.toThrow();
    expect(() => r.setSize(2, 4)).toThrow(/already 4x2/);
  });
});
