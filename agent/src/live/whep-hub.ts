import { randomUUID } from "node:crypto";
import type { Logger } from "@homecam/shared/node";
import type { CaptureError } from "../capture/capture-error.js";
import type { AgentModule } from "../module.js";
import type { LiveStream } from "./live-source.js";
import type { RtpSourceFactory } from "./rtp-source.js";
import {
  createWhepPeer,
  type WhepPeer,
  type WhepPeerOptions,
  type WhepPeerSessionOptions,
} from "./whep-peer.js";

export interface WhepHubOptions extends WhepPeerOptions {
  sources: RtpSourceFactory;
  /** Keep a source this long after its last session ended (default 3 s): a reload reuses it. */
  stopDelayMs?: number;
  /** A session whose peer has not connected by then is dropped (default 30 s). */
  connectTimeoutMs?: number;
  /** Whether a camera may still be watched; checked every `recheckMs` (default 2 s), like LiveHub. */
  allowed?: (cameraId: string) => boolean;
  recheckMs?: number;
  log: Pick<Logger, "info" | "warn" | "error">;
}

interface WhepSession {
  id: string;
  cameraId: string;
  userId: string;
  peer: WhepPeer;
  connectTimer: NodeJS.Timeout;
  onEnded: ((reason: string) => void) | undefined;
}

/** How a session is opened beyond camera, user and offer (the cloud relay sets these). */
export interface WhepOpenOptions extends WhepPeerSessionOptions {
  /** The session id the signalling side chose (the cloud's); a fresh UUID otherwise. */
  sessionId?: string;
  /** Told once when the session ends for any reason but {@link WhepHub.end} by its opener. */
  onEnded?: (reason: string) => void;
}

interface CameraRtp {
  stream: LiveStream | undefined;
  sessions: Set<WhepSession>;
  stopTimer?: NodeJS.Timeout;
}

/** What {@link WhepHub.open} answers: a session, null (unknown camera) or why it cannot be watched. */
export type WhepOpenResult = { sessionId: string; answer: string } | CaptureError | null;

/**
 * The WHEP sessions of the agent: ONE RTP source per camera shared by every WebRTC viewer, started
 * by the first session and stopped a few seconds after the last ends. Each packet is handed to
 * every session's werift track as is (H.264 passthrough: no decode, no encode).
 */
export class WhepHub implements AgentModule {
  readonly name = "whep";
  readonly #o: WhepHubOptions;
  readonly #cameras = new Map<string, CameraRtp>();
  readonly #sessions = new Map<string, WhepSession>();
  readonly #stopping = new Set<Promise<void>>();
  #recheck: NodeJS.Timeout | undefined;

  constructor(opts: WhepHubOptions) {
    this.#o = opts;
  }

  /** Cameras with a running RTP source (for tests and status). */
  get sourceCount(): number {
    return this.#cameras.size;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async start(): Promise<void> {
    const { allowed } = this.#o;
    if (!allowed) return;
    this.#recheck = setInterval(() => {
      for (const [id, camera] of this.#cameras) {
        if (allowed(id)) continue;
        this.#o.log.info({ cameraId: id }, "WebRTC view ended: camera disarmed or disabled");
        for (const session of [...camera.sessions]) this.#end(session, "camera disarmed");
        this.#stopSource(id, camera);
      }
    }, this.#o.recheckMs ?? 2_000);
    this.#recheck.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#recheck);
    for (const session of [...this.#sessions.values()]) this.#end(session, "the agent is stopping");
    for (const [id, camera] of this.#cameras) this.#stopSource(id, camera);
    await Promise.all(this.#stopping);
  }

  /** Answer a viewer's offer for `cameraId`; throws ApiError E_BAD_REQUEST for an unusable offer. */
  async open(
    cameraId: string,
    userId: string,
    offer: string,
    opts: WhepOpenOptions = {},
  ): Promise<WhepOpenResult> {
    if (this.#o.allowed && !this.#o.allowed(cameraId)) return null;
    // The peer first: a bad offer must not start (and then stop) a camera's ffmpeg.
    const peer = await createWhepPeer(offer, this.#o, opts);
    const camera = this.#camera(cameraId);
    if (camera === null || !("sessions" in camera)) {
      await peer.pc.close().catch(() => undefined);
      return camera;
    }
    const session: WhepSession = {
      id: opts.sessionId ?? randomUUID(),
      cameraId,
      userId,
      peer,
      onEnded: opts.onEnded,
      connectTimer: setTimeout(
        () => this.#end(session, "the peer did not connect"),
        this.#o.connectTimeoutMs ?? 30_000,
      ),
    };
    session.connectTimer.unref();
    clearTimeout(camera.stopTimer);
    camera.stopTimer = undefined;
    camera.sessions.add(session);
    this.#sessions.set(session.id, session);
    peer.pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") clearTimeout(session.connectTimer);
      // "disconnected" may recover (ICE restarts on its own); "failed" and "closed" do not.
      if (state === "failed" || state === "closed") this.#end(session, `peer ${state}`);
    });
    this.#o.log.info({ cameraId, userId, sessionId: session.id }, "WebRTC viewer joined");
    return { sessionId: session.id, answer: peer.answer };
  }

  /** End a session of `userId`'s (DELETE); false when there is none (unknown, or someone else's). */
  close(cameraId: string, sessionId: string, userId: string): boolean {
    const session = this.#sessions.get(sessionId);
    if (!session || session.userId !== userId || session.cameraId !== cameraId) return false;
    this.#end(session, "ended by the viewer");
    return true;
  }

  /** The answer of a session still open (a relayed offer delivered twice gets the same answer). */
  answerOf(sessionId: string): string | undefined {
    return this.#sessions.get(sessionId)?.peer.answer;
  }

  /** End a session by id, whoever opened it (the cloud relay already checked who may). */
  end(sessionId: string, reason: string): boolean {
    const session = this.#sessions.get(sessionId);
    if (!session) return false;
    session.onEnded = undefined;
    this.#end(session, reason);
    return true;
  }

  /** End every session of `userId` (their grant was revoked); how many ended. */
  endUser(userId: string): number {
    const theirs = [...this.#sessions.values()].filter((s) => s.userId === userId);
    for (const session of theirs) this.#end(session, "access revoked");
    return theirs.length;
  }

  #camera(cameraId: string): CameraRtp | CaptureError | null {
    const existing = this.#cameras.get(cameraId);
    if (existing) return existing;
    const created: CameraRtp = { stream: undefined, sessions: new Set() };
    const stream = this.#o.sources(cameraId, {
      // Each track parses its own copy: werift's sender rewrites the parsed header in place.
      packet: (bytes) => {
        for (const session of created.sessions) session.peer.track.writeRtp(bytes);
      },
      ended: (reason) => {
        this.#o.log.warn({ cameraId, reason }, "RTP source ended");
        if (this.#cameras.get(cameraId) === created) this.#cameras.delete(cameraId);
        clearTimeout(created.stopTimer);
        for (const session of [...created.sessions]) this.#end(session, "source ended");
      },
    });
    if (stream === null || !("stop" in stream)) return stream;
    created.stream = stream;
    this.#cameras.set(cameraId, created);
    this.#o.log.info({ cameraId }, "RTP source started");
    return created;
  }

  #end(session: WhepSession, reason: string): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    clearTimeout(session.connectTimer);
    session.peer.track.stop();
    void session.peer.pc.close().catch(() => undefined);
    this.#o.log.info({ cameraId: session.cameraId, sessionId: session.id, reason }, "WebRTC viewer left");
    session.onEnded?.(reason);
    const camera = this.#cameras.get(session.cameraId);
    if (!camera?.sessions.delete(session) || camera.sessions.size > 0) return;
    camera.stopTimer = setTimeout(
      () => this.#stopSource(session.cameraId, camera),
      this.#o.stopDelayMs ?? 3_000,
    );
    camera.stopTimer.unref();
  }

  #stopSource(cameraId: string, camera: CameraRtp): void {
    clearTimeout(camera.stopTimer);
    if (this.#cameras.get(cameraId) === camera) this.#cameras.delete(cameraId);
    const stopping = (camera.stream?.stop() ?? Promise.resolve())
      .catch((err: unknown) => this.#o.log.error({ err, cameraId }, "cannot stop an RTP source"))
      .finally(() => this.#stopping.delete(stopping));
    this.#stopping.add(stopping);
    this.#o.log.info({ cameraId }, "RTP source stopped");
  }
}
