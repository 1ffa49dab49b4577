// The bench's side of viewers-child.ts: open werift viewers in that process, hand each one's offer
// to whoever answers (the agent's WHEP endpoint, or the wrtc server), and wait until all receive.

import { fileURLToPath } from "node:url";
import { startTsChild, stopProcess, type TsChild } from "../relay/children.js";
import type { ViewerCodec, ViewerReply, ViewerRequest } from "./viewers-child.js";

const SCRIPT = fileURLToPath(new URL("./viewers-child.ts", import.meta.url));

/** Turns a viewer's SDP offer into the server's SDP answer. */
export type Answerer = (offer: string) => Promise<string>;

export class ViewerProcess {
  private nextId = 0;
  private readonly offers = new Map<number, (sdp: string) => void>();
  private statsWaiter: ((packets: number[]) => void) | undefined;

  private constructor(private readonly proc: TsChild<{ type: "ready" }>) {
    proc.child.on("message", (msg: ViewerReply) => {
      if (msg.type === "offer") this.offers.get(msg.id)?.(msg.sdp);
      else if (msg.type === "stats") this.statsWaiter?.(msg.packets);
    });
  }

  static async start(): Promise<ViewerProcess> {
    return new ViewerProcess(await startTsChild<{ type: "ready" }>(SCRIPT, "the viewers process"));
  }

  get count(): number {
    return this.nextId;
  }

  /** Open one more viewer, negotiated through `answer`. */
  async open(codec: ViewerCodec, answer: Answerer): Promise<void> {
    const id = this.nextId++;
    const offer = new Promise<string>((resolve) => this.offers.set(id, resolve));
    this.send({ type: "open", id, codec });
    const sdp = await answer(await offer);
    this.offers.delete(id);
    this.send({ type: "answer", id, sdp });
  }

  /** RTP packets received so far, per viewer in opening order. */
  packets(): Promise<number[]> {
    return new Promise((resolve) => {
      this.statsWaiter = resolve;
      this.send({ type: "stats" });
    });
  }

  /** Resolve once every viewer has received at least `min` more packets than in `since`. */
  async waitReceiving(timeoutMs: number, since: number[] = [], min = 10): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.packets();
      if (now.length === this.count && now.every((p, i) => p - (since[i] ?? 0) >= min)) return now;
      if (Date.now() > deadline) throw new Error(`viewers not all receiving after ${timeoutMs} ms: ${now}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async close(): Promise<void> {
    if (this.proc.child.exitCode === null) this.send({ type: "close" });
    await stopProcess(this.proc.child, true);
  }

  private send(msg: ViewerRequest): void {
    this.proc.child.send(msg);
  }
}
