import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

// The demo runs the built programs (dist/), as `npm start` does after set-up; `npm test` builds first.
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hc-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address() as { port: number };
  srv.close();
  return port;
}

/** Processes whose command line mentions the demo folder (the cloud and the agent). */
function demoProcesses(): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(dir) && !l.includes("ps -eo"));
}

async function startDemo(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, ["scripts/demo.mjs"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => output.push(l));
  // Keep collecting after "running": the pairing PIN is printed after it.
  const ready = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      if (line.includes("homecam demo is running")) resolve(true);
    });
    child.once("exit", () => resolve(false));
  });
  if (await ready) return { child, output };
  throw new Error(`demo exited before it was ready:\n${output.join("\n")}`);
}

/** Wait until a line of the demo's output matches (the demo keeps printing after "running"). */
async function waitForLine(output: string[], re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of output) {
      const m = line.match(re);
      if (m) return m;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no line matching ${re} in the demo's output:\n${output.join("\n")}`);
}

describe("npm start demo", () => {
  it("starts cloud and agent, answers both /health, stops on Ctrl-C leaving no process, and restarts on the same folder", async () => {
    const ports = { cloud: await freePort(), agent: await freePort(), mqtt: await freePort() };
    const env = {
      ...process.env,
      HOMECAM_DEMO_DIR: dir,
      HOMECAM_DEMO_CLOUD_PORT: String(ports.cloud),
      HOMECAM_DEMO_AGENT_PORT: String(ports.agent),
      HOMECAM_DEMO_MQTT_PORT: String(ports.mqtt),
      // Environment overrides reach the demo's programs; a short grace keeps the curl flow quick.
      HOMECAM_AUTH_REFRESH_REUSE_GRACE_SECONDS: "1",
    };
    for (let round = 0; round < 2; round++) {
      const { child, output } = await startDemo(env);
      const exited = once(child, "exit");
      for (const url of [
        `http://127.0.0.1:${ports.cloud}/health`,
        `http://127.0.0.1:${ports.cloud}/api/health/db`,
        `http://127.0.0.1:${ports.agent}/health`,
      ]) {
        const res = await fetch(url);
        expect(res.status, url).toBe(200);
        expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
      }
      expect(demoProcesses().length).toBeGreaterThanOrEqual(2);
      // The demo prints a pairing PIN and QR; `homecam pair --json` gives a fresh session.
      const pinLine = await waitForLine(output, /Pair the demo camera: PIN (\d{6})/);
      const fresh = JSON.parse(
        execFileSync(
          process.execPath,
          ["agent/bin/homecam.js", "pair", "--json", "--config", join(dir, "agent.yaml")],
          {
            cwd: root,
            env,
            encoding: "utf8",
          },
        ),
      ) as { pairingId: string; pin: string; url: string; expiresAt: string };
      expect(fresh.pin).toMatch(/^\d{6}$/);
      expect(fresh.url).toContain(`/pair#pid=${fresh.pairingId}&pin=${fresh.pin}`);
      expect(pinLine[1]).toMatch(/^\d{6}$/);
      if (round === 0) {
        // The README's curl walk-through of the account flow, against this running demo.
        const out = execFileSync(
          "bash",
          ["scripts/demo-curl.sh", `http://127.0.0.1:${ports.cloud}`, join(dir, "mail")],
          {
            cwd: root,
            env,
            encoding: "utf8",
          },
        );
        expect(out).toContain("account flow: all checks passed");
        // The README's evidence walk-through: pair, wait for an uploaded clip, download and probe it.
        // Asynchronous: the wait for a clip is long enough for the demo's output pipe to fill
        // while a synchronous call blocked this process from reading it.
        const { stdout: clips } = await promisify(execFile)(
          "bash",
          ["scripts/demo-clips.sh", `http://127.0.0.1:${ports.cloud}`, dir, fresh.pin],
          { cwd: root, env, encoding: "utf8" },
        );
        expect(clips).toContain("evidence flow: all checks passed");
        const probed = /clip: .+ \((\d+) bytes, ([\d.]+) s\)/.exec(clips);
        expect(Number(probed?.[1])).toBeGreaterThan(10_000);
        expect(Number(probed?.[2])).toBeGreaterThan(5);
      }
      child.kill("SIGINT");
      const [code] = await exited;
      expect(code).toBe(0);
      expect(demoProcesses()).toEqual([]);
    }
    expect(readFileSync(join(dir, "agent.yaml"), "utf8")).toContain("type: test");
  }, 300_000);
});
