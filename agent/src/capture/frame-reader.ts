/**
 * One gray analysis frame.
 *
 * Ownership: the frame object and its `data` are lent to the callback and reused. They are valid only
 * until the callback returns; a consumer that keeps pixels (a background model, a thumbnail) copies
 * them. This is what lets the reader run without allocating per frame.
 */
export interface AnalysisFrame {
  /** Gray pixels, row-major, `width × height` bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Wall-clock time the frame's last byte arrived, epoch ms. */
  timestampMs: number;
  /** 0-based number of the frame in this reader (one ffmpeg run). */
  seq: number;
}

export interface FrameReaderOptions {
  /** Frame size, when known before ffmpeg reports it. */
  size?: { width: number; height: number };
  /** Bytes kept while the size is unknown; older bytes are dropped beyond this (default 8 MiB). */
  maxPendingBytes?: number;
}

/**
 * Splits ffmpeg's rawvideo stdout into exact frames. A frame that lies whole inside one chunk is
 * handed out as a view of that chunk (no copy); only a frame split across chunks is assembled in the
 * one buffer the reader owns.
 */
export class FrameReader {
  readonly #onFrame: (frame: AnalysisFrame) => void;
  readonly #maxPending: number;
  #buffer = new Uint8Array(0);
  #fill = 0;
  #frame: AnalysisFrame | undefined;
  #pending: Array<[Uint8Array, number]> | undefined = [];
  #pendingBytes = 0;
  #droppedBytes = 0;
  #seq = 0;

  constructor(onFrame: (frame: AnalysisFrame) => void, opts: FrameReaderOptions = {}) {
    this.#onFrame = onFrame;
    this.#maxPending = opts.maxPendingBytes ?? 8 * 1024 * 1024;
    if (opts.size) this.setSize(opts.size.width, opts.size.height);
  }

  /** Frames delivered so far. */
  get frames(): number {
    return this.#seq;
  }

  get size(): { width: number; height: number } | undefined {
    return this.#frame && { width: this.#frame.width, height: this.#frame.height };
  }

  /** Fix the frame size (once); bytes received before are split now, with their arrival times. */
  setSize(width: number, height: number): void {
    if (this.#frame) {
      if (this.#frame.width !== width || this.#frame.height !== height) {
        throw new Error(
          `frame size already ${this.#frame.width}x${this.#frame.height}, not ${width}x${height}`,
        );
      }
      return;
    }
    if (!(width > 0 && height > 0)) throw new Error(`bad frame size ${width}x${height}`);
    this.#buffer = new Uint8Array(width * height);
    this.#frame = { data: this.#buffer, width, height, timestampMs: 0, seq: 0 };
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    // Bytes dropped while waiting broke the alignment: skip to the next frame boundary of the stream.
    let skip = (width * height - (this.#droppedBytes % (width * height))) % (width * height);
    for (const [chunk, at] of pending) {
      const n = Math.min(skip, chunk.length);
      skip -= n;
      if (n < chunk.length) this.push(chunk.subarray(n), at);
    }
  }

  /** Feed a stdout chunk that arrived at `arrivalMs`. The reader keeps no reference after returning. */
  push(chunk: Uint8Array, arrivalMs: number): void {
    if (this.#pending) {
      this.#holdPending(chunk, arrivalMs);
      return;
    }
    const frameBytes = this.#buffer.length;
    let off = 0;
    if (this.#fill > 0) {
      const n = Math.min(frameBytes - this.#fill, chunk.length);
      this.#buffer.set(chunk.subarray(0, n), this.#fill);
      this.#fill += n;
      off = n;
      if (this.#fill < frameBytes) return;
      this.#fill = 0;
      this.#emit(this.#buffer, arrivalMs);
    }
    while (chunk.length - off >= frameBytes) {
      // A plain Uint8Array view, never a Buffer: frames of one shape keep the detector's hot loops
      // monomorphic (a Buffer here deoptimised downsample2x2 at the first real frame).
      this.#emit(new Uint8Array(chunk.buffer, chunk.byteOffset + off, frameBytes), arrivalMs);
      off += frameBytes;
    }
    if (off < chunk.length) {
      this.#buffer.set(chunk.subarray(off), 0);
      this.#fill = chunk.length - off;
    }
  }

  #emit(data: Uint8Array, arrivalMs: number): void {
    const frame = this.#frame!;
    frame.data = data;
    frame.timestampMs = arrivalMs;
    frame.seq = this.#seq++;
    this.#onFrame(frame);
  }

  #holdPending(chunk: Uint8Array, arrivalMs: number): void {
    // Chunks from a Node stream are not reused by Node, but copy anyway: the caller may pool buffers.
    const pending = this.#pending!;
    pending.push([chunk.slice(), arrivalMs]);
    this.#pendingBytes += chunk.length;
    while (this.#pendingBytes > this.#maxPending && pending.length > 1) {
      const dropped = pending.shift()![0].length;
      this.#pendingBytes -= dropped;
      this.#droppedBytes += dropped;
    }
  }
}
