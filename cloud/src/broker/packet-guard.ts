import { Duplex } from "node:stream";

// aedes (mqtt-packet) has no maximum packet size: its parser buffers a packet until all of its
// declared "remaining length" has arrived, up to 256 MB. This guard sits between the socket and
// aedes, follows packet boundaries from the fixed headers only (MQTT 3.1.1 §2.2: one type byte,
// then a 1–4 byte varint), and refuses a packet as soon as its header declares too many bytes.

/** What {@link PacketLengthGuard.feed} found. */
export type GuardVerdict =
  | { ok: true }
  | { ok: false; reason: "too_large"; declaredBytes: number }
  | { ok: false; reason: "malformed_length" };

/**
 * Pure, incremental fixed-header reader. Feed it every byte the client sends, in order and in any
 * chunking; it never buffers payload bytes, only counts them. Once it returns a refusal it stays
 * refused.
 */
export class PacketLengthGuard {
  private state: "type" | "length" | "body" = "type";
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private refused: GuardVerdict | null = null;

  /** @param maxPacketBytes largest whole packet (fixed header + remaining length) accepted. */
  constructor(private readonly maxPacketBytes: number) {}

  feed(chunk: Uint8Array): GuardVerdict {
    if (this.refused) return this.refused;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "type") {
        i++;
        this.state = "length";
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === "length") {
        const byte = chunk[i] as number;
        i++;
        this.lengthBytes++;
        this.remaining += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        const more = (byte & 0x80) !== 0;
        if (more && this.lengthBytes >= 4) {
          this.refused = { ok: false, reason: "malformed_length" };
          return this.refused;
        }
        // Refuse as soon as the length read so far (a lower bound) is already too large.
        if (1 + this.lengthBytes + this.remaining > this.maxPacketBytes) {
          this.refused = { ok: false, reason: "too_large", declaredBytes: this.remaining };
          return this.refused;
        }
        if (!more) this.state = this.remaining === 0 ? "type" : "body";
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = "type";
      }
    }
    return { ok: true };
  }
}

/** The socket-like stream aedes gets: a full duplex over the real socket. */
export interface GuardedConnection extends Duplex {
  readonly socket: Duplex;
}

/**
 * Wrap `socket` so every byte passes the {@link PacketLengthGuard} before aedes sees it. On a
 * refusal the socket is destroyed at once (nothing of the offending packet reaches the parser) and
 * `onRefused` is called. Writes go straight to the socket; reads honour back-pressure.
 */
export function guardConnection(
  socket: Duplex,
  maxPacketBytes: number,
  onRefused: (verdict: Exclude<GuardVerdict, { ok: true }>) => void,
): GuardedConnection {
  const guard = new PacketLengthGuard(maxPacketBytes);
  const forward = (data: Buffer, callback: (err?: Error | null) => void): void => {
    if (socket.destroyed || socket.write(data)) callback();
    else socket.once("drain", () => callback());
  };
  const conn = new Duplex({
    read() {
      socket.resume();
    },
    // Hand data to the socket and accept more at once unless the socket pushes back: waiting for
    // each write's callback serialised aedes' small writes (a packet is several) behind the
    // kernel's delayed ACK and capped a connection at a few thousand messages per second.
    write(chunk: Buffer, _encoding, callback) {
      forward(chunk, callback);
    },
    writev(chunks, callback) {
      forward(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  }) as GuardedConnection;
  Object.defineProperty(conn, "socket", { value: socket });
  socket.on("data", (chunk: Buffer) => {
    const verdict = guard.feed(chunk);
    if (!verdict.ok) {
      socket.pause();
      socket.destroy();
      onRefused(verdict);
      return;
    }
    if (!conn.push(chunk)) socket.pause();
  });
  socket.on("end", () => conn.push(null));
  socket.on("error", (err) => conn.destroy(err));
  socket.on("close", () => {
    if (!conn.destroyed) conn.destroy();
  });
  return conn;
}
