import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The CLI runs from TypeScript sources, as a developer would: tsx compiles, and the "source"
// condition points @homecam/shared at its sources too.
const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const NODE_ARGS = ["--conditions=source", "--import", "tsx", "agent/src/cli.ts"];
const AGENT_VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, "agent/package.json"), "utf8")) as { version: string }
).version;

function spawnCli(args: string[]): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test's own settings must not leak in from the developer's environment.
  for (const key of Object.keys(env))
    if (key.startsWith("HOMECAM_") || key === "CREDENTIALS_DIRECTORY") delete env[key];
  return spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("homecam CLI", () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-cli-"));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(text: string): string {
    const file = join(dir, "agent.yaml");
    writeFileSync(file, text);
    return file;
  }

  function localConfig(): string {
    return writeConfig(
      [
        `stateDir: ${JSON.stringify(join(dir, "state"))}`,
        "http: { host: 127.0.0.1, port: 0 }",
        "cloud: { enabled: false }",
        "cameras: []",
        "storage: { minFreeMB: 0 }",
        "",
      ].join("\n"),
    );
  }

  it("prints the agent package's version", async () => {
    const { code, stdout } = await runCli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(AGENT_VERSION);
  });

  it("rejects a configuration with three mistakes, printing every one as path: message", async () => {
    const file = writeConfig(
      [
        "http: { port: 70000 }",
        "cloud: { url: not-a-url }",
        "colour: blue",
        `stateDir: ${JSON.stringify(dir)}`,
      ].join("\n"),
    );
    const { code, stderr, stdout } = await runCli(["run", "--config", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.split("\n");
    expect(lines.some((l) => l.startsWith("http.port: "))).toBe(true);
    expect(lines.some((l) => l.startsWith("cloud.url: "))).toBe(true);
    expect(lines).toContain("colour: unknown setting");
  });

  it("reports a missing --config file as a configuration error", async () => {
    const { code, stderr } = await runCli(["doctor", "--config", join(dir, "absent.yaml")]);
    expect(code).toBe(2);
    expect(stderr).toContain("(file): not found");
  });

  it("runs, answers /health at the logged LAN URL, and exits 0 on SIGTERM leaving no process", async () => {
    const child = spawnCli(["run", "--config", localConfig()]);
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, "exit");
    const lines = createInterface({ input: child.stdout! });
    let started: { lanUrl?: string; version?: string; stateDir?: string; cloud?: unknown } | undefined;
    for await (const line of lines) {
      const entry = JSON.parse(line) as {
        msg?: string;
        lanUrl?: string;
        version?: string;
        stateDir?: string;
      };
      if (entry.msg === "homecam agent started") {
        started = entry;
        break;
      }
    }
    expect(started, stderr).toBeDefined();
    expect(started).toMatchObject({
      version: AGENT_VERSION,
      stateDir: join(dir, "state"),
      cloud: "disabled",
    });
    const res = await fetch(`${started?.lanUrl}/health`);
    expect(await res.json()).toMatchObject({ ok: true, data: { status: "ok", version: AGENT_VERSION } });

    child.kill("SIGTERM");
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(isAlive(child.pid!)).toBe(false);
  });

  it("doctor --json passes against a fresh state directory", async () => {
    const { code, stdout, stderr } = await runCli(["doctor", "--json", "--config", localConfig()]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(["ffmpeg", "state-dir", "disk", "clock"]);
    expect(report.checks.find((c) => c.name === "ffmpeg")?.status).toBe("ok");
    expect(report.checks.find((c) => c.name === "state-dir")?.status).toBe("ok");
  });

  it("doctor prints one line per check with its mark", async () => {
    const { code, stdout } = await runCli(["doctor", "--config", localConfig()]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^[✓!✗] (ffmpeg|state-dir|disk|clock): /);
  });
});
