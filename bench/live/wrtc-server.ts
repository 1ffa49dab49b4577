// The bench's side of wrtc-child.ts: start it, start its source, answer viewers' offers through it.

import { fileURLToPath } from "node:url";
import { startTsChild, stopProcess, type TsChild } from "../relay/children.js";
import type { VideoShape } from "./agent-process.js";
import type { WrtcReply, WrtcRequest } from "./wrtc-child.js";

const SCRIPT = fileURLToPath(new URL("./wrtc-child.ts", import.meta.url));
const SOURCE_TIMEOUT_MS = 20_000;

export class WrtcServer {
  private nextId = 0;
  private readonly waiting = new Map<string, (msg: WrtcReply) => void>();

  private constructor(
    private readonly proc: TsChild<{ type: "ready" }>,
    readonly ffmpegPid: number,
  ) {}

  get pid(): number {
    return this.proc.pid;
  }

  static async start(video: VideoShape): Promise<WrtcServer> {
    const proc = await startTsChild<{ type: "ready" }>(SCRIPT, "the wrtc server");
    const ready = new Promise<WrtcReply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the wrtc server's ffmpeg gave no frame")),
        SOURCE_TIMEOUT_MS,
      );
      proc.child.on("message", (msg: WrtcReply) => {
        if (msg.type !== "source-ready") return;
        clearTimeout(timer);
        resolve(msg);
      });
    });
    proc.child.send({ type: "source", ...video } satisfies WrtcRequest);
    const msg = await ready.catch(async (err: unknown) => {
      await stopProcess(proc.child);
      throw err;
    });
    const server = new WrtcServer(proc, msg.type === "source-ready" ? msg.ffmpegPid : 0);
    proc.child.on("message", (m: WrtcReply) => {
      const key = m.type === "answer" ? `answer:${m.id}` : m.type;
      server.waiting.get(key)?.(m);
    });
    return server;
  }

  /** The SDP answer of a new peer connection re-encoding the source for `offer`'s viewer. */
  answer = async (offer: string): Promise<string> => {
    const id = this.nextId++;
    const reply = await this.request(`answer:${id}`, { type: "offer", id, sdp: offer });
    return reply.type === "answer" ? reply.sdp : "";
  };

  /** Frames encoded so far by each peer connection (one VP8 encoder each). */
  async framesEncoded(): Promise<number[]> {
    const reply = await this.request("stats", { type: "stats" });
    return reply.type === "stats" ? reply.framesEncoded : [];
  }

  async stop(): Promise<void> {
    if (this.proc.child.exitCode === null) this.proc.child.send({ type: "close" } satisfies WrtcRequest);
    await stopProcess(this.proc.child, true);
  }

  private request(key: string, msg: WrtcRequest): Promise<WrtcReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the wrtc server did not answer ${msg.type}`)), 10_000);
      this.waiting.set(key, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(reply);
      });
      this.proc.child.send(msg);
    });
  }
}
