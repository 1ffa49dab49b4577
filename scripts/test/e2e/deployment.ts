import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PairingSession, pairingSessionSchema } from "@homecam/shared";
import { freePort, Program, programEnv, repoRoot, waitFor } from "./processes.js";

/** The synthetic camera the agent runs (the snapshot must come out at exactly this size). */
export const TEST_CAMERA = { localId: "e2e-cam", name: "E2E camera", width: 640, height: 360, fps: 10 };

/**
 * A real cloud and a real agent with a synthetic camera, each a built program (`dist/`) with its
 * own YAML configuration, SQLite and state under `dir`, on free ports.
 */
export class Deployment {
  readonly cloudUrl: string;
  readonly agentConfig: string;
  cloud: Program | undefined;
  agent: Program | undefined;

  private constructor(
    readonly dir: string,
    readonly ports: { cloud: number; mqtt: number; agent: number },
  ) {
    this.cloudUrl = `http://127.0.0.1:${ports.cloud}`;
    this.agentConfig = join(dir, "agent.yaml");
  }

  /** Write both configurations and start the cloud, then the agent; resolves when both are healthy. */
  static async start(dir: string): Promise<Deployment> {
    const d = new Deployment(dir, {
      cloud: await freePort(),
      mqtt: await freePort(),
      agent: await freePort(),
    });
    d.writeConfigs();
    const cloud = new Program(
      "cloud",
      ["cloud/bin/homecam-cloud.js", "run", "--config", d.cloudConfig],
      d.log("cloud"),
    );
    d.cloud = cloud;
    try {
      await d.waitHealthy(cloud, `${d.cloudUrl}/health`);
      await d.startAgent();
    } catch (err) {
      // The caller never gets this deployment, so nobody else could stop what did start.
      d.killLeftovers();
      throw new Error(`${(err as Error).message}\n${d.logs()}`);
    }
    return d;
  }

  private get cloudConfig(): string {
    return join(this.dir, "cloud.yaml");
  }

  private log(name: string): string {
    return join(this.dir, `${name}.log`);
  }

  private writeConfigs(): void {
    const { dir, ports } = this;
    for (const d of ["cloud", "agent"]) mkdirSync(join(dir, d), { recursive: true });
    // mqtt.port is a free port chosen above: never the default 1883.
    writeFileSync(
      this.cloudConfig,
      `stateDir: ${join(dir, "cloud")}
http: { host: 127.0.0.1, port: ${ports.cloud}, publicUrl: "${this.cloudUrl}" }
database: { url: "sqlite:cloud.db" }
mqtt: { host: 127.0.0.1, port: ${ports.mqtt} }
relay: { commandTimeoutMs: 10000 }
`,
    );
    const cam = TEST_CAMERA;
    writeFileSync(
      this.agentConfig,
      `stateDir: ${join(dir, "agent")}
http: { host: 127.0.0.1, port: ${ports.agent} }
cloud:
  enabled: true
  url: ${this.cloudUrl}
  mqttUrl: mqtt://127.0.0.1:${ports.mqtt}
cameras:
  - id: ${cam.localId}
    name: ${cam.name}
    source: { type: test, width: ${cam.width}, height: ${cam.height}, fps: ${cam.fps} }
storage: { days: 1, maxDiskMB: 256, minFreeMB: 0 }
`,
    );
  }

  /** Start (or start again, on the same state) the agent; resolves when its /health answers. */
  async startAgent(): Promise<Program> {
    const agent = new Program(
      "agent",
      ["agent/bin/homecam.js", "run", "--config", this.agentConfig],
      this.log("agent"),
    );
    this.agent = agent;
    await this.waitHealthy(agent, `http://127.0.0.1:${this.ports.agent}/health`);
    return agent;
  }

  /** Poll `url` until it answers 2xx; fail at once if the program exits first. */
  private async waitHealthy(program: Program, url: string): Promise<void> {
    let settled = false;
    const died = program.exited.then(() => {
      if (!settled) throw new Error(`${program.name} exited before it was healthy:\n${program.logTail()}`);
    });
    const healthy = waitFor(`${program.name} at ${url}`, async () => (await fetch(url)).ok, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    try {
      await Promise.race([healthy, died]);
    } finally {
      settled = true;
    }
  }

  /**
   * `homecam pair --json` against the running agent, as a user would type it: a fresh pairing
   * session. Retried while the agent is still starting (control socket not listening, cloud not
   * reached yet). Returns the session and how long the successful command took.
   */
  async pair(): Promise<{ session: PairingSession; ms: number }> {
    return waitFor(
      "homecam pair --json",
      async () => {
        const started = performance.now();
        const stdout = await new Promise<string>((resolve, reject) => {
          execFile(
            process.execPath,
            ["agent/bin/homecam.js", "pair", "--json", "--config", this.agentConfig],
            { cwd: repoRoot, env: programEnv(), timeout: 20_000, encoding: "utf8" },
            (err, out, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(out)),
          );
        });
        return { session: pairingSessionSchema.parse(JSON.parse(stdout)), ms: performance.now() - started };
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }

  /**
   * Stop both programs with SIGTERM to the program itself, as systemd would (it stops its own
   * ffmpeg children), and wait for them; the whole group gets SIGKILL after 15 s.
   */
  async stop(): Promise<Array<{ name: string; code: number | null; signal: NodeJS.Signals | null }>> {
    const programs = [this.agent, this.cloud].filter((p): p is Program => p?.running === true);
    return Promise.all(
      programs.map(async (p) => {
        const force = setTimeout(() => p.killGroup("SIGKILL"), 15_000);
        p.child.kill("SIGTERM");
        const exit = await p.exited;
        clearTimeout(force);
        return { name: p.name, ...exit };
      }),
    );
  }

  /** Last resort (afterAll): SIGKILL whatever is still running. */
  killLeftovers(): void {
    for (const p of [this.agent, this.cloud]) if (p?.running) p.killGroup("SIGKILL");
  }

  /** The programs' recent output, for failure reports. */
  logs(): string {
    return [this.cloud, this.agent]
      .filter((p): p is Program => p !== undefined)
      .map((p) => `--- ${p.name} (${p.logFile})\n${p.logTail()}`)
      .join("\n");
  }
}
