import { randomUUID } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CameraSource } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { BrowserInput } from "../capture/source-input.js";
import type { BrowserResolver } from "../capture/supervisor.js";
import { freeUdpPortPair } from "../capture/udp-ports.js";
import type { AgentModule } from "../module.js";
import { consumerSdp } from "./offer-codec.js";
import { RtpNormaliser } from "./rtp-normaliser.js";
import { createWhipPeer, type WhipPeer, type WhipPeerOptions } from "./whip-peer.js";

export interface IngestHubOptions extends WhipPeerOptions {
  /** The camera's source while it may capture (enabled, not in privacy mode); undefined otherwise. */
  cameraSource(cameraId: string): CameraSource | undefined;
  /** Directory of the SDP files the capture ffmpegs read. */
  dir: string;
  /**
   * How often the publisher is asked for a key frame (RTCP PLI) while a capture reads it (default
   * 1 s). Browsers send one only when asked; the ring cuts segments and clips at key frames, and a
   * (re)started ffmpeg decodes nothing before one.
   */
  keyFrameIntervalMs?: number;
  /** A publisher whose peer has not connected by then is dropped (default 30 s). */
  connectTimeoutMs?: number;
  log: Pick<Logger, "info" | "warn">;
  now?: () => number;
}

interface Publisher {
  id: string;
  cameraId: string;
  userId: string;
  peer: WhipPeer;
  connectTimer: NodeJS.Timeout;
}

interface CameraIngest {
  publisher?: Publisher;
  /** The capture ffmpeg reading this camera: where its RTP goes and which codec its SDP says. */
  consumer?: { port: number; codec: BrowserInput["codec"]; release(): void };
  normaliser: RtpNormaliser;
  /** Captures waiting for a publisher. */
  waiters: Set<() => void>;
}

/**
 * WHIP publishers (browsers, OBS) of `browser` cameras, one per camera (a new one replaces the
 * old: a phone reloading its page), and the bridge to each camera's capture: packets are normalised
 * ({@link RtpNormaliser}) and sent over loopback UDP to the port named in the SDP its ffmpeg reads,
 * so a browser camera gets motion, clips and uploads like any other.
 */
export class IngestHub implements AgentModule {
  readonly name = "ingest";
  readonly #o: IngestHubOptions;
  readonly #cameras = new Map<string, CameraIngest>();
  readonly #now: () => number;
  #socket: Socket | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: IngestHubOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  get publisherCount(): number {
    return [...this.#cameras.values()].filter((c) => c.publisher).length;
  }

  async start(): Promise<void> {
    this.#timer = setInterval(() => this.#tick(), this.#o.keyFrameIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const camera of this.#cameras.values()) {
      if (camera.publisher) this.#end(camera.publisher, "the agent is stopping");
    }
    this.#socket?.close();
    this.#socket = undefined;
  }

  /** Answer a publisher's offer; null when `cameraId` is not a browser camera that may capture now. */
  async publish(
    cameraId: string,
    userId: string,
    offer: string,
  ): Promise<{ sessionId: string; answer: string } | null> {
    if (this.#o.cameraSource(cameraId)?.type !== "browser") return null;
    const peer = await createWhipPeer(offer, this.#o);
    const camera = this.#camera(cameraId);
    if (camera.publisher) this.#end(camera.publisher, "replaced by a new publisher");
    const publisher: Publisher = {
      id: randomUUID(),
      cameraId,
      userId,
      peer,
      connectTimer: setTimeout(
        () => this.#end(publisher, "the peer did not connect"),
        this.#o.connectTimeoutMs ?? 30_000,
      ),
    };
    publisher.connectTimer.unref();
    camera.publisher = publisher;
    peer.onPacket((packet, payload) => this.#forward(camera, publisher, packet, payload));
    peer.pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") clearTimeout(publisher.connectTimer);
      if (state === "failed" || state === "closed") this.#end(publisher, `peer ${state}`);
    });
    for (const wake of camera.waiters) wake();
    this.#o.log.info(
      { cameraId, userId, sessionId: publisher.id, codec: peer.chosen.codec },
      "browser camera publishing",
    );
    return { sessionId: publisher.id, answer: peer.answer };
  }

  /** End `userId`'s publishing session (DELETE); false when there is none (unknown, or someone else's). */
  unpublish(cameraId: string, sessionId: string, userId: string): boolean {
    const publisher = this.#cameras.get(cameraId)?.publisher;
    if (!publisher || publisher.id !== sessionId || publisher.userId !== userId) return false;
    this.#end(publisher, "ended by the publisher");
    return true;
  }

  /** Stop `userId`'s publishing (their access was revoked); how many publishers ended. */
  endUser(userId: string): number {
    const theirs = [...this.#cameras.values()].flatMap((c) =>
      c.publisher?.userId === userId ? [c.publisher] : [],
    );
    for (const publisher of theirs) this.#end(publisher, "access revoked");
    return theirs.length;
  }

  /**
   * The capture's side ({@link BrowserResolver}): wait for a publisher, then write the SDP of a
   * fresh loopback port for the starting ffmpeg. Rejects when `signal` aborts (the capture stops).
   */
  readonly consume: BrowserResolver = async (cameraId, { signal, waiting }) => {
    const camera = this.#camera(cameraId);
    while (!camera.publisher) {
      signal.throwIfAborted();
      waiting(`waiting for a browser to publish (open /capture?camera=${cameraId})`);
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          camera.waiters.delete(wake);
          signal.removeEventListener("abort", wake);
          if (signal.aborted) reject(signal.reason);
          else resolve();
        };
        camera.waiters.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    const codec = camera.publisher.peer.chosen.codec;
    const port = await freeUdpPortPair();
    const sdpPath = join(this.#o.dir, `${cameraId}.sdp`);
    await mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    await writeFile(sdpPath, consumerSdp(codec, port), { mode: 0o600 });
    signal.throwIfAborted();
    // One abort listener per capture at a time: its signal lives as long as the capture.
    const consumer = { port, codec, release: () => {} };
    const onAbort = () => {
      if (camera.consumer === consumer) camera.consumer = undefined;
    };
    signal.addEventListener("abort", onAbort, { once: true });
    consumer.release = () => signal.removeEventListener("abort", onAbort);
    camera.consumer?.release();
    camera.consumer = consumer;
    // The new ffmpeg starts at a key frame, like a new publisher does.
    camera.normaliser.reset();
    return { sdpPath, codec };
  };

  #camera(cameraId: string): CameraIngest {
    let camera = this.#cameras.get(cameraId);
    if (!camera) {
      camera = { normaliser: new RtpNormaliser(), waiters: new Set() };
      this.#cameras.set(cameraId, camera);
    }
    return camera;
  }

  #forward(camera: CameraIngest, publisher: Publisher, packet: Buffer, payload: Buffer): void {
    const consumer = camera.consumer;
    // Another codec than the running ffmpeg's SDP: it starves, its watchdog restarts it, and the
    // restart reads an SDP of the new codec.
    if (camera.publisher !== publisher || !consumer || consumer.codec !== publisher.peer.chosen.codec) return;
    const out = camera.normaliser.rewrite(packet, payload, consumer.codec, this.#now());
    if (!out) return;
    this.#socket ??= createSocket("udp4").on("error", (err) =>
      this.#o.log.warn({ err }, "RTP forwarding failed"),
    );
    this.#socket.send(out, consumer.port, "127.0.0.1");
  }

  /** Every interval: a key frame for each capture, and no publishing to a camera now private. */
  #tick(): void {
    for (const [cameraId, camera] of this.#cameras) {
      const publisher = camera.publisher;
      if (!publisher) continue;
      if (this.#o.cameraSource(cameraId)?.type !== "browser")
        this.#end(publisher, "camera disarmed or disabled");
      else if (camera.consumer) publisher.peer.requestKeyFrame();
    }
  }

  #end(publisher: Publisher, reason: string): void {
    const camera = this.#cameras.get(publisher.cameraId);
    if (camera?.publisher !== publisher) return;
    camera.publisher = undefined;
    clearTimeout(publisher.connectTimer);
    void publisher.peer.pc.close().catch(() => undefined);
    this.#o.log.info(
      { cameraId: publisher.cameraId, sessionId: publisher.id, reason },
      "browser camera stopped publishing",
    );
  }
}
