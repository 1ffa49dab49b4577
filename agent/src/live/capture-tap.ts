import { createSocket, type Socket } from "node:dgram";
import type { Logger } from "@homecam/shared/node";
import { TAP_PAYLOAD_TYPE } from "../capture/rtp-tap.js";

// Reads the RTP a camera's capture ffmpeg sends to its loopback tap port (see capture/rtp-tap.ts)
// and hands every packet to whoever watches: the WebRTC hub (passthrough) and the fMP4 fallback's
// remuxer. The port is bound only while someone listens, and once per camera however many do.

export type TapListener = (packet: Buffer) => void;

interface OpenTap {
  port: number;
  socket: Socket;
  /** Each listener with what to tell it when the tap fails. */
  listeners: Map<TapListener, (reason: string) => void>;
}

/** An RTP packet of the tap: version 2 and its payload type (RTCP or strays are dropped). */
function isTapRtp(bytes: Buffer): boolean {
  return bytes.length > 12 && (bytes[0] ?? 0) >> 6 === 2 && ((bytes[1] ?? 0) & 0x7f) === TAP_PAYLOAD_TYPE;
}

export class CaptureTaps {
  readonly #taps = new Map<string, OpenTap>();
  #follow: NodeJS.Timeout | undefined;

  /** `port(cameraId)`: the running capture's tap port, undefined when that camera has none. */
  constructor(
    private readonly port: (cameraId: string) => number | undefined,
    private readonly log: Pick<Logger, "warn" | "debug">,
  ) {}

  /** Whether `cameraId`'s capture has a tap now. */
  has(cameraId: string): boolean {
    return this.port(cameraId) !== undefined;
  }

  /**
   * Listen to a camera's tap; `failed` is told when the port cannot be bound. Returns the
   * unsubscribe, or null when the camera has no tap.
   */
  listen(cameraId: string, listener: TapListener, failed: (reason: string) => void): (() => void) | null {
    const port = this.port(cameraId);
    if (port === undefined) return null;
    let tap = this.#taps.get(cameraId);
    if (tap && tap.port !== port) tap = this.#move(cameraId, tap, port);
    if (!tap) tap = this.#open(cameraId, port, new Map());
    tap.listeners.set(listener, failed);
    return () => {
      // The tap may have moved to another port since: whichever is current holds the listener.
      const current = this.#taps.get(cameraId);
      if (!current?.listeners.delete(listener)) return;
      if (current.listeners.size === 0) this.#close(cameraId, current);
    };
  }

  /** A restarted capture may send to another port: the listeners follow it (checked every second). */
  #followPorts(): void {
    if (this.#follow || this.#taps.size === 0) return;
    this.#follow = setInterval(() => {
      for (const [cameraId, tap] of this.#taps) {
        const port = this.port(cameraId);
        if (port !== undefined && port !== tap.port) this.#move(cameraId, tap, port);
      }
      if (this.#taps.size === 0) {
        clearInterval(this.#follow);
        this.#follow = undefined;
      }
    }, 1_000);
    this.#follow.unref();
  }

  #move(cameraId: string, tap: OpenTap, port: number): OpenTap {
    const listeners = new Map(tap.listeners);
    this.#close(cameraId, tap);
    this.log.debug({ cameraId, from: tap.port, to: port }, "capture tap moved");
    return this.#open(cameraId, port, listeners);
  }

  #open(cameraId: string, port: number, listeners: OpenTap["listeners"]): OpenTap {
    const socket = createSocket("udp4");
    const tap: OpenTap = { port, socket, listeners };
    socket.on("message", (bytes) => {
      if (!isTapRtp(bytes)) return;
      // One buffer for all: werift parses it into a packet of its own per track and never writes to
      // it, and the remuxer only sends it on (no copy per viewer per packet).
      for (const listener of tap.listeners.keys()) listener(bytes);
    });
    socket.on("error", (err) => {
      this.log.warn({ cameraId, port, err }, "capture tap failed");
      const told = [...tap.listeners.values()];
      if (this.#taps.get(cameraId) === tap) this.#close(cameraId, tap);
      for (const failed of told) failed(`cannot read the capture's live tap: ${err.message}`);
    });
    socket.bind(port, "127.0.0.1");
    this.#taps.set(cameraId, tap);
    this.log.debug({ cameraId, port }, "capture tap opened");
    this.#followPorts();
    return tap;
  }

  #close(cameraId: string, tap: OpenTap): void {
    this.#taps.delete(cameraId);
    tap.listeners.clear();
    try {
      tap.socket.close();
    } catch {
      // Already closed after an error.
    }
  }
}
