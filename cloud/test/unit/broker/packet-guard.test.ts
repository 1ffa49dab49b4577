import { PassThrough } from "node:stream";
import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { guardConnection, PacketLengthGuard } from "../../../src/broker/packet-guard.js";

/** Fixed header of a PUBLISH declaring `remaining` bytes. */
function header(remaining: number): Buffer {
  const bytes = [0x30];
  let n = remaining;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function packets(sizes: number[]): Buffer {
  return Buffer.concat(sizes.map((s) => Buffer.concat([header(s), Buffer.alloc(s, 7)])));
}

describe("PacketLengthGuard", () => {
  it("accepts packets up to the limit and refuses the first one over it", () => {
    const guard = new PacketLengthGuard(1024);
    expect(guard.feed(packets([0, 10, 1024 - 3]))).toEqual({ ok: true });
    expect(guard.feed(header(1024 - 2))).toMatchObject({ ok: false, reason: "too_large" });
    // Stays refused.
    expect(guard.feed(header(0))).toMatchObject({ ok: false });
  });

  it("refuses a 200 MB declaration from the header alone", () => {
    const guard = new PacketLengthGuard(256 * 1024);
    expect(guard.feed(header(200 * 1024 * 1024))).toMatchObject({ ok: false, reason: "too_large" });
  });

  it("refuses a length varint longer than 4 bytes", () => {
    const guard = new PacketLengthGuard(16 * 1024 * 1024);
    expect(guard.feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toEqual({
      ok: false,
      reason: "malformed_length",
    });
  });

  it("follows packet boundaries under any chunking (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(3000), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 50 }),
        (sizes, cuts) => {
          const limit = 2048;
          const data = packets(sizes);
          const guard = new PacketLengthGuard(limit);
          let verdict = guard.feed(new Uint8Array(0));
          for (let i = 0, c = 0; i < data.length && verdict.ok; c++) {
            const len = cuts[c % cuts.length] ?? 1;
            verdict = guard.feed(data.subarray(i, i + len));
            i += len;
          }
          const firstTooBig = sizes.findIndex((s) => 1 + header(s).length - 1 + s > limit);
          expect(verdict.ok).toBe(firstTooBig === -1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("passes real MQTT packets through untouched", () => {
    const guard = new PacketLengthGuard(256 * 1024);
    const bytes = Buffer.concat([
      mqttPacket.generate({
        cmd: "connect",
        clientId: "x",
        protocolVersion: 4,
        keepalive: 30,
        clean: true,
        protocolId: "MQTT",
      }),
      mqttPacket.generate({
        cmd: "publish",
        topic: "a/b",
        payload: Buffer.alloc(100_000),
        qos: 0,
        dup: false,
        retain: false,
      }),
      mqttPacket.generate({ cmd: "pingreq" }),
    ]);
    for (let i = 0; i < bytes.length; i += 777) expect(guard.feed(bytes.subarray(i, i + 777)).ok).toBe(true);
  });
});

describe("guardConnection", () => {
  it("forwards bytes both ways and destroys the socket on an oversized declaration", async () => {
    // The "client" side is simulated with emit("data"); what aedes writes is captured from write().
    const socket = new PassThrough();
    const sent: Buffer[] = [];
    socket.write = ((chunk: Buffer, cb?: (err?: Error | null) => void) => {
      sent.push(chunk);
      cb?.(null);
      return true;
    }) as typeof socket.write;
    const written: Buffer[] = [];
    const refused: unknown[] = [];
    const conn = guardConnection(socket, 1024, (v) => refused.push(v));
    await new Promise<void>((resolve, reject) =>
      conn.write(Buffer.from([0x20, 2, 0, 0]), (e) => (e ? reject(e) : resolve())),
    );
    expect(Buffer.concat(sent)).toEqual(Buffer.from([0x20, 2, 0, 0]));
    conn.on("data", (b: Buffer) => written.push(b));
    socket.emit("data", header(3));
    socket.emit("data", Buffer.from([1, 2, 3]));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(written)).toEqual(Buffer.concat([header(3), Buffer.from([1, 2, 3])]));
    socket.emit("data", header(10_000));
    await new Promise((r) => setImmediate(r));
    expect(refused).toHaveLength(1);
    expect(socket.destroyed).toBe(true);
    expect(Buffer.concat(written)).toHaveLength(5);
  });
});
