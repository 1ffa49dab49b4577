// Starts rtsp-file-server.py (GStreamer's RTSP server through Debian's python3-gi) for the RTSP
// feed: one mount per scene, each client streamed from the start of the file at its frame rate.

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Scene } from "./scene.js";
import type { Feed } from "./types.js";

const SCRIPT = fileURLToPath(new URL("./rtsp-file-server.py", import.meta.url));
/** Debian's python has `gi`; a pyenv python first on PATH may not. */
const PYTHON = "/usr/bin/python3";

export interface RtspServer {
  feed: Extract<Feed, { kind: "rtsp" }>;
  stop(): Promise<void>;
}

export async function startRtspServer(scenes: Scene[]): Promise<RtspServer> {
  const port = await freePort();
  const mounts = scenes.flatMap((s) => ["--mount", `/${s.key}=${s.file}`]);
  const child = spawn(PYTHON, [SCRIPT, "--port", String(port), ...mounts], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RTSP server not ready after 10 s: ${output}`)), 10_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    closed.then(() => reject(new Error(`RTSP server exited: ${output}`)));
  });
  return {
    feed: { kind: "rtsp", baseUrl: `rtsp://127.0.0.1:${port}`, serverPid: child.pid! },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await closed;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}
