import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The CLI runs from its TypeScript sources through tsx, with the "source" condition so
// @homecam/shared resolves to its sources too: no build needed, never a stale dist/.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = ["--conditions=source", "--import", "tsx", "cloud/src/cli.ts"];

function cliEnv(): NodeJS.ProcessEnv {
  // The developer's own HOMECAM_* settings must not leak into the configuration under test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HOMECAM_")));
  delete env.CREDENTIALS_DIRECTORY;
  return env;
}

function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cliEnv(), stdio: "pipe" });
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function waitExit(child: ChildProcess): Promise<Exit> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("homecam-cloud CLI", () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "homecam-cli-test-"));
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    children.length = 0;
    await rm(dir, { recursive: true, force: true });
  });

  const writeConfig = async (yaml: string) => {
    const file = join(dir, "cloud.yaml");
    await writeFile(file, yaml);
    return file;
  };

  it("--version prints the package version", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "cloud/package.json"), "utf8")) as { version: string };
    const result = await waitExit(spawnCli(["--version"]));
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it("prints one `path: message` line per configuration mistake and exits 2", async () => {
    const file = await writeConfig(
      ["http:", "  port: 70000", "database:", "  url: mysql://db/homecam", "bogus: 1", ""].join("\n"),
    );
    const result = await waitExit(spawnCli(["run", "--config", file]));
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^http\.port: /),
        "database.url: must start with sqlite: or postgres://",
        "bogus: unknown setting",
      ]),
    );
    expect(result.stdout).toBe("");
  });

  it("run serves until SIGTERM, then stops cleanly with exit 0", async () => {
    const file = await writeConfig(
      [`stateDir: ${JSON.stringify(dir)}`, "http:", "  port: 0", "mqtt:", "  port: 0", ""].join("\n"),
    );
    const child = spawnCli(["run", "--config", file]);
    children.push(child);
    const exited = waitExit(child);
    const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffer = "";
      child.stdout?.on("data", (d: Buffer) => {
        buffer += d.toString();
        for (const line of buffer.split("\n").slice(0, -1)) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.msg === "homecam cloud started") resolve(entry);
        }
      });
      child.on("close", (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(started).toMatchObject({ configFile: file, dialect: "sqlite", url: expect.any(String) });
    expect(started.version).toMatch(/^\d+\.\d+\.\d+/);
    const res = await fetch(`${started.url as string}/health`);
    expect(res.status).toBe(200);

    child.kill("SIGTERM");
    const result = await exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"msg":"stopped"');
  });

  it("migrate brings the database up to date and exits 0", async () => {
    const file = await writeConfig([`stateDir: ${JSON.stringify(dir)}`, ""].join("\n"));
    const first = await waitExit(spawnCli(["migrate", "--config", file]));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('"msg":"migrated"');
    const second = await waitExit(spawnCli(["migrate", "--config", file]));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('"msg":"already up to date"');
  });
});
