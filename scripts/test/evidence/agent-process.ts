import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Program } from "../e2e/processes.js";

/** One camera of the agent's YAML, written as flow mappings. */
export interface CameraYaml {
  id: string;
  enabled?: boolean;
  /** e.g. `{ type: test, width: 320, height: 180, fps: 10 }`. */
  source: string;
  /** e.g. `{ analysisFps: 10, eventGapSeconds: 1 }`. */
  motion?: string;
  recording?: string;
}

export interface AgentYaml {
  stateDir: string;
  cloudUrl: string;
  mqttUrl: string;
  cameras: CameraYaml[];
  /** `cloud.upload.maxBytesPerSecond`; 0 = no cap. */
  maxBytesPerSecond?: number;
  /** Disk budget for clips (MB); the default leaves room for every clip a test makes. */
  maxDiskMB?: number;
}

/** Write the agent's configuration file; returns its path. */
export function writeAgentConfig(file: string, c: AgentYaml): string {
  const cameras = c.cameras.flatMap((cam) => [
    `  - id: ${cam.id}`,
    `    name: ${cam.id}`,
    `    enabled: ${cam.enabled ?? true}`,
    `    source: ${cam.source}`,
    ...(cam.motion ? [`    motion: ${cam.motion}`] : []),
    ...(cam.recording ? [`    recording: ${cam.recording}`] : []),
  ]);
  writeFileSync(
    file,
    [
      `stateDir: ${JSON.stringify(c.stateDir)}`,
      "http: { host: 127.0.0.1, port: 0 }",
      "cloud:",
      "  enabled: true",
      `  url: ${c.cloudUrl}`,
      `  mqttUrl: ${c.mqttUrl}`,
      `  upload: { concurrency: 1, maxBytesPerSecond: ${c.maxBytesPerSecond ?? 0} }`,
      `storage: { days: 1, maxDiskMB: ${c.maxDiskMB ?? 512}, minFreeMB: 0 }`,
      "log: { level: debug }",
      c.cameras.length ? "cameras:" : "cameras: []",
      ...cameras,
      "",
    ].join("\n"),
  );
  return file;
}

/**
 * The real agent (`homecam run`, its TypeScript sources through tsx, as the kill -9 crash test
 * runs it) in its own process group, so one `kill(-pgid)` reaches it and its ffmpeg children.
 */
export function spawnAgent(configFile: string, logDir: string, name: string): Program {
  return new Program(
    name,
    ["--conditions=source", "--import", "tsx", "agent/src/cli.ts", "run", "--config", configFile],
    join(logDir, `${name}.log`),
  );
}

/** SIGTERM (as systemd stops it), SIGKILL of the group after `graceMs`; resolves on exit. */
export async function stopAgent(agent: Program, graceMs = 15_000): Promise<void> {
  if (!agent.running) return;
  const force = setTimeout(() => agent.killGroup("SIGKILL"), graceMs);
  agent.child.kill("SIGTERM");
  await agent.exited;
  clearTimeout(force);
  // Its ffmpeg children may outlive a clean stop by a moment: take the group down with it.
  agent.killGroup("SIGKILL");
}
