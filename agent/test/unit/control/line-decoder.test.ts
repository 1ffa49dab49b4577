import { describe, expect, it } from "vitest";
import { LineDecoder } from "../../../src/control/line-decoder.js";

const b = (s: string) => Buffer.from(s);

describe("LineDecoder", () => {
  it("splits lines within and across chunks, dropping \\r before \\n", () => {
    const d = new LineDecoder(100);
    expect(d.push(b('{"a":1}\n{"b"'))).toEqual({ lines: ['{"a":1}'], overflow: false });
    expect(d.pendingBytes).toBe(4);
    expect(d.push(b(":2}\r\n\n"))).toEqual({ lines: ['{"b":2}', ""], overflow: false });
    expect(d.push(b("x"))).toEqual({ lines: [], overflow: false });
    expect(d.push(b("y\n"))).toEqual({ lines: ["xy"], overflow: false });
  });

  it("decodes a UTF-8 character split across chunks", () => {
    const d = new LineDecoder(100);
    const bytes = b("caméra\n");
    expect(d.push(bytes.subarray(0, 4))).toEqual({ lines: [], overflow: false });
    expect(d.push(bytes.subarray(4))).toEqual({ lines: ["caméra"], overflow: false });
  });

  it("accepts a line of exactly the limit (plus \\r) and refuses one byte more", () => {
    expect(new LineDecoder(5).push(b("12345\r\n"))).toEqual({ lines: ["12345"], overflow: false });
    const d = new LineDecoder(5);
    expect(d.push(b("ok\n123456\nlater\n"))).toEqual({ lines: ["ok"], overflow: true });
    expect(d.overflowed).toBe(true);
    expect(d.push(b("more\n"))).toEqual({ lines: [], overflow: false });
  });

  it("refuses a line that grows over the limit before its newline arrives", () => {
    const d = new LineDecoder(8);
    expect(d.push(b("12345"))).toEqual({ lines: [], overflow: false });
    expect(d.push(b("67890"))).toEqual({ lines: [], overflow: true });
    expect(d.pendingBytes).toBe(0);
  });
});
