/**
 * Splits a byte stream into `\n`-terminated lines of at most `maxBytes` bytes (the terminator and
 * an optional `\r` before it excluded). Works on bytes, so a UTF-8 character split across chunks
 * is decoded whole, and keeps the unfinished line as a list of chunks, so a long line costs one
 * copy rather than one per chunk.
 */
export class LineDecoder {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #pending = 0;
  #overflowed = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** True once a line went over the limit; the decoder returns nothing more after that. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Bytes of the unfinished line held so far. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Feed one chunk; returns the lines it completed and whether a line went over the limit. Lines
   * completed before the overflow are returned; after it, nothing more is: past that point the
   * stream cannot be re-synchronised reliably.
   */
  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    if (this.#overflowed) return { lines, overflow: false };
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.#pending + piece.length > this.#maxBytes + 1) return this.#overflow(lines);
      const line = this.#parts.length === 0 ? piece : Buffer.concat([...this.#parts, piece]);
      this.#parts = [];
      this.#pending = 0;
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      if (end > this.#maxBytes) return this.#overflow(lines);
      lines.push(line.toString("utf8", 0, end));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // Keep one extra byte of slack for a `\r` that may precede the coming `\n`.
      if (this.#pending + rest.length > this.#maxBytes + 1) return this.#overflow(lines);
      this.#parts.push(rest);
      this.#pending += rest.length;
    }
    return { lines, overflow: false };
  }

  #overflow(lines: string[]): { lines: string[]; overflow: boolean } {
    this.#overflowed = true;
    this.#parts = [];
    this.#pending = 0;
    return { lines, overflow: true };
  }
}
