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
    if (tap && tap.port !== port) {
      // The capture restarted on another port: move the listeners there.
      this.#close(cameraId, tap);
      tap = undefined;
    }
    if (!tap) tap = this.#open(cameraId, port);
    const opened = tap;
    opened.listeners.set(listener, failed);
    return () => {
      opened.listeners.delete(listener);
      if (opened.listeners.size === 0 && this.#taps.get(cameraId) === opened) this.#close(cameraId, opened);
    };
  }

  #open(cameraId: string, port: number): OpenTap {
    const socket = createSocket("udp4");
    const tap: OpenTap = { port, socket, listeners: new Map() };
    socket.on("message", (bytes) => {
      if (!isTapRtp(bytes)) return;
      // Each listener gets its own copy: werift rewrites the header of the packet it is given.
      for (const listener of tap.listeners.keys()) listener(Buffer.from(bytes));
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
