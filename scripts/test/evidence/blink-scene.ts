import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { CameraYaml } from "./agent-process.js";

/**
 * A synthetic camera that makes many short motion events: an HTTP MJPEG stream (the agent's
 * `mjpeg` source, the kind an Android IP-camera app serves) rendered live by real ffmpeg from a
 * lavfi graph. A white box crosses a dark frame for `visibleS` of every `periodS` seconds and is
 * gone the rest of the time, so with an event gap shorter than the hidden part every appearance is
 * its own event. The moving-objects test scene makes about one event per 10 s; this one makes one
 * per period, which is what lets 20 events happen within a ~20 s outage on a few cameras.
 */
export interface BlinkOptions {
  periodS: number;
  visibleS: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Temporal sensor noise (ffmpeg `noise` strength) on the background: bigger clips. */
  noise?: number;
}

export class BlinkScene {
  readonly #server: Server;
  readonly #children = new Set<ChildProcess>();

  private constructor(readonly opts: BlinkOptions) {
    this.#server = createServer((req, res) => {
      const child = spawn("ffmpeg", this.#args(), { stdio: ["ignore", "pipe", "ignore"] });
      this.#children.add(child);
      child.once("exit", () => this.#children.delete(child));
      // ffmpeg's mpjpeg muxer writes `--ffmpeg` boundaries.
      res.writeHead(200, { "content-type": "multipart/x-mixed-replace;boundary=ffmpeg" });
      child.stdout.pipe(res);
      const end = () => child.kill("SIGKILL");
      req.on("close", end);
      res.on("close", end);
    });
  }

  static async start(opts: BlinkOptions): Promise<BlinkScene> {
    const scene = new BlinkScene(opts);
    scene.#server.listen(0, "127.0.0.1");
    await once(scene.#server, "listening");
    return scene;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}/stream.mjpg`;
  }

  get fps(): number {
    return this.opts.fps ?? 10;
  }

  #args(): string[] {
    const { periodS: p, visibleS: v, width: w = 320, height: h = 180, noise = 0 } = this.opts;
    const fps = this.fps;
    const box = Math.round(h / 4);
    const graph =
      `color=c=0x303030:s=${w}x${h}:r=${fps}${noise ? `,noise=alls=${noise}:allf=t` : ""}[bg];` +
      `color=c=white:s=${box}x${box}:r=${fps}[box];` +
      `[bg][box]overlay=x='${box}+mod(t\\,${p})*${Math.round((w - 3 * box) / v)}':y=${Math.round(h / 3)}:` +
      `enable='lt(mod(t\\,${p})\\,${v})'`;
    return ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", graph].concat([
      "-c:v",
      "mjpeg",
      "-q:v",
      "6",
      "-f",
      "mpjpeg",
      "pipe:1",
    ]);
  }

  /**
   * An agent camera watching this scene, tuned for one short event per blink: high analysis rate,
   * 1 s event gap, 1 s pre/post roll and 1 s segments.
   */
  camera(id: string, enabled = true): CameraYaml {
    return {
      id,
      enabled,
      source: `{ type: mjpeg, url: "${this.url}", fps: ${this.fps} }`,
      motion: "{ analysisFps: 10, analysisWidth: 160, eventGapSeconds: 1, minDurationMs: 200 }",
      recording: "{ preRollSeconds: 1, postRollSeconds: 1, segmentSeconds: 1 }",
    };
  }

  async close(): Promise<void> {
    for (const c of this.#children) c.kill("SIGKILL");
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
