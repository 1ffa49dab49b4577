import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createLogger } from "@homecam/shared/node";
import { afterEach, describe, expect, it } from "vitest";
import { CaptureError } from "../../../src/capture/capture-error.js";
import { tapUrl } from "../../../src/capture/rtp-tap.js";
import { freeUdpPort } from "../../../src/capture/udp-ports.js";
import { CaptureTaps } from "../../../src/live/capture-tap.js";
import { LiveHub } from "../../../src/live/live-hub.js";
import { tappedLiveSources, tappedRtpSources } from "../../../src/live/tap-sources.js";
import { waitFor } from "../capture/helpers.js";
import { boxTypes } from "./live-fixture.js";

// Live view from a capture's tap: an ffmpeg standing in for the capture sends H.264 RTP to the tap
// port exactly as the capture's tap output does; WebRTC gets the packets, the fallback a remux.

const log = createLogger({ name: "test", level: "silent" });
const running: ChildProcess[] = [];

async function fakeCapture(): Promise<number> {
  const port = await freeUdpPort();
  const child = spawn("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=s=320x240:r=10"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline"],
    ...["-pix_fmt", "yuv420p"],
    ...["-g", "10", "-bsf:v", "dump_extra=freq=keyframe", "-f", "rtp", "-payload_type", "96", tapUrl(port)],
  ]);
  running.push(child);
  return port;
}

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const closed = once(child, "close");
    child.kill("SIGKILL");
    await closed;
  }
});

describe("live sources from a capture tap", () => {
  it("WebRTC gets the tap's packets; an untapped camera uses its own source", async () => {
    const port = await fakeCapture();
    const taps = new CaptureTaps((id) => (id === "tapped" ? port : undefined), log);
    const fallbackAsked: string[] = [];
    const sources = tappedRtpSources(taps, (id) => {
      fallbackAsked.push(id);
      return new CaptureError("HC_ERR_CAPTURE_SOURCE_UNSUPPORTED", "no", true);
    });
    const packets: Buffer[] = [];
    const stream = sources("tapped", { packet: (p) => packets.push(p), ended: () => {} });
    expect(stream && "stop" in stream).toBe(true);
    await waitFor("tap packets", () => packets.length > 20, 10_000);
    if (stream && "stop" in stream) await stream.stop();
    expect(sources("other", { packet: () => {}, ended: () => {} })).toBeInstanceOf(CaptureError);
    expect(fallbackAsked).toEqual(["other"]);
  });

  it("follows a restarted capture to its new port without the viewer noticing", async () => {
    let port = await fakeCapture();
    const taps = new CaptureTaps(() => port, log);
    const sources = tappedRtpSources(taps, () => null);
    const packets: Buffer[] = [];
    const ended: string[] = [];
    const stream = sources("cam", { packet: (p) => packets.push(p), ended: (r) => ended.push(r) });
    await waitFor("packets from the first capture", () => packets.length > 10, 10_000);
    const first = running[0] as ChildProcess;
    const closed = once(first, "close");
    first.kill("SIGKILL");
    await closed;
    port = await fakeCapture();
    const before = packets.length;
    await waitFor("packets from the restarted capture", () => packets.length > before + 10, 10_000);
    expect(ended).toEqual([]);
    if (stream && "stop" in stream) await stream.stop();
  });

  it("the fMP4 fallback remuxes the tap: init segment, then key-frame-first fragments", async () => {
    const port = await fakeCapture();
    const taps = new CaptureTaps(() => port, log);
    const hub = new LiveHub({
      sources: tappedLiveSources(taps, () => null, { log }),
      stopDelayMs: 100,
      log,
    });
    const seen: { init?: string; fragments: Array<{ key: boolean; boxes: string[] }> } = { fragments: [] };
    const joined = hub.join("cam", {
      init: (_bytes, mimeType) => {
        seen.init = mimeType;
      },
      fragment: (bytes, key) => seen.fragments.push({ key, boxes: boxTypes(bytes) }),
      ended: (reason) => {
        throw new Error(`ended: ${reason}`);
      },
    });
    expect(joined && "leave" in joined).toBe(true);
    await waitFor("fragments", () => seen.fragments.length > 10, 15_000);
    expect(seen.init).toMatch(/^video\/mp4; codecs="avc1\.42/);
    expect(seen.fragments[0]?.key).toBe(true);
    for (const f of seen.fragments) expect(f.boxes).toEqual(["moof", "mdat"]);
    if (joined && "leave" in joined) joined.leave();
    await waitFor("the remux to stop", () => hub.sourceCount === 0, 5_000);
    await hub.stop();
  });
});
