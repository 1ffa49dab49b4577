import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentConfigSchema, cloudConfigSchema } from "../../src/config/index.js";
import { ConfigError, loadConfig, resolveConfigPath } from "../../src/node/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hc-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.lines();
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("reports every mistake of a file, each as path: message", () => {
    const file = write(
      "agent.yaml",
      [
        `stateDir: ${join(dir, "state")}`,
        "http: { port: 99999 }",
        "cameras:",
        "  - id: Front_Door",
        "    name: Front door",
        "    source: { type: rtsp, url: 'rtsp://cam/stream' }",
        "storage: { dayz: 3 }",
      ].join("\n"),
    );
    const lines = problemsOf(() =>
      loadConfig({ program: "agent", schema: agentConfigSchema, file, env: {} }),
    );
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^http\.port: /);
    expect(lines[1]).toMatch(/^cameras\[0\]\.id: /);
    expect(lines[2]).toBe("storage.dayz: unknown setting");
  });

  it("reports YAML syntax errors with their line", () => {
    const file = write("agent.yaml", "http:\n  port: 1\n  port: 2\n");
    const lines = problemsOf(() =>
      loadConfig({ program: "agent", schema: agentConfigSchema, file, env: {} }),
    );
    expect(lines[0]).toMatch(/^line 3:\d+: /);
  });

  it("applies file, then environment, then credentials, and freezes the result", () => {
    const file = write("cloud.yaml", "http: { port: 5000 }\ndatabase: { url: 'sqlite:a.db' }\n");
    const creds = join(dir, "creds");
    mkdirSync(creds);
    writeFileSync(join(creds, "database.url"), "postgres://u:p@db/homecam\n");
    writeFileSync(join(creds, "unrelated"), "ignored");
    // systemd's SetCredential= fallback: an empty credential means "not set".
    writeFileSync(join(creds, "mail.smtpUrl"), "\n");
    const { config, overrides } = loadConfig({
      program: "cloud",
      schema: cloudConfigSchema,
      file,
      env: { HOMECAM_HTTP_PORT: "6000", HOMECAM_DATABASE_URL: "sqlite:b.db", CREDENTIALS_DIRECTORY: creds },
    });
    expect(config.http.port).toBe(6000);
    expect(config.database.url).toBe("postgres://u:p@db/homecam");
    expect(overrides).toEqual([
      "env:HOMECAM_HTTP_PORT",
      "env:HOMECAM_DATABASE_URL",
      "credential:database.url",
    ]);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("refuses an environment value of the wrong kind", () => {
    const lines = problemsOf(() =>
      loadConfig({
        program: "cloud",
        schema: cloudConfigSchema,
        env: { HOMECAM_CONFIG: write("c.yaml", "{}"), HOMECAM_HTTP_PORT: "abc" },
      }),
    );
    expect(lines).toEqual(['HOMECAM_HTTP_PORT: expected a number, got "abc"']);
  });

  it("uses defaults when the default path does not exist, but not when a missing file was named", () => {
    const loaded = loadConfig({ program: "cloud", schema: cloudConfigSchema, env: {} });
    expect(loaded.file === null || loaded.file === "/etc/homecam/cloud.yaml").toBe(true);
    const lines = problemsOf(() =>
      loadConfig({ program: "cloud", schema: cloudConfigSchema, file: join(dir, "missing.yaml"), env: {} }),
    );
    expect(lines[0]).toMatch(/not found/);
  });

  it("resolves --config, then $HOMECAM_CONFIG, then /etc/homecam", () => {
    expect(resolveConfigPath("agent", "/a.yaml", { HOMECAM_CONFIG: "/b.yaml" })).toBe("/a.yaml");
    expect(resolveConfigPath("agent", undefined, { HOMECAM_CONFIG: "/b.yaml" })).toBe("/b.yaml");
    expect(resolveConfigPath("agent", undefined, {})).toBe("/etc/homecam/agent.yaml");
  });
});
