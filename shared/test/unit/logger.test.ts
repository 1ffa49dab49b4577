import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, moduleLogger } from "../../src/node/logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("redacts secrets by key and credentials inside URLs", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "test", destination });
    log.info(
      { password: "hunter2", user: { refreshToken: "r1" }, url: "rtsp://a:b@c/d" },
      "open rtsp://x:y@z/s",
    );
    log.error({ err: new Error("connect rtsp://admin:pw@cam failed") }, "boom");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain('"r1"');
    expect(text).not.toContain("a:b@");
    expect(text).not.toContain("x:y@");
    expect(text).not.toContain("admin:pw@");
    expect(lines[0]?.msg).toBe("open rtsp://x:***@z/s");
  });

  it("keeps error codes readable (they are not secrets) and hides one-time codes and PINs", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "test", destination });
    const err = Object.assign(new Error("no such file"), { code: "ENOENT" });
    log.warn({ code: "E_DEVICE_OFFLINE", err, oneTimeCode: "123456", pin: "654321" }, "refused");
    expect(lines[0]).toMatchObject({ code: "E_DEVICE_OFFLINE", err: { code: "ENOENT" } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("123456");
    expect(text).not.toContain("654321");
  });

  it("gives each module a child with its own level", () => {
    const { lines, destination } = capture();
    const root = createLogger({ name: "agent", level: "info", modules: { capture: "debug" }, destination });
    moduleLogger(root, "capture", { camera: "front" }).debug("seen");
    moduleLogger(root, "store").debug("hidden");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ mod: "capture", camera: "front", msg: "seen", name: "agent" });
  });
});
