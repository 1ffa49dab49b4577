import { readdirSync, readFileSync } from "node:fs";
import { waitFor } from "../e2e/processes.js";
import { type AgentState, type CloudState, readAgent, readCloud } from "./databases.js";

/**
 * Wait until the agent has nothing left to tell or send: every outbox row acknowledged, every
 * clip `uploaded` (or given up as `local_only`, which the caller asserts did not happen), and the
 * cloud knowing each of the agent's events and recordings. Returns both sides as then stored.
 */
export async function settled(
  agentStateDir: string,
  cloudDbFile: string,
  deviceId: string,
  timeoutMs: number,
): Promise<{ agent: AgentState; cloud: CloudState }> {
  return waitFor(
    "the agent's outbox empty, its clips uploaded and the cloud up to date",
    () => {
      const agent = readAgent(agentStateDir);
      const cloud = readCloud(cloudDbFile, deviceId);
      if (!agent || !cloud || agent.undelivered > 0) return undefined;
      if (agent.recordings.some((r) => r.upload_state === "pending" || r.upload_state === "uploading"))
        return undefined;
      const uploaded = cloud.recordings.filter((r) => r.uploaded_at !== null).length;
      if (cloud.events.length < agent.events.length || uploaded < agent.recordings.length) return undefined;
      return { agent, cloud };
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * How many times each recording was reported `clip uploaded` in the agent's log files (pino JSON
 * lines): the uploader logs it once per confirmed upload, after the cloud's complete answered.
 */
export function uploadConfirmations(logFiles: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of logFiles) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.includes('"clip uploaded"')) continue;
      try {
        const id = (JSON.parse(line) as { recordingId?: string }).recordingId;
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      } catch {
        // a line cut by kill -9: not a confirmation
      }
    }
  }
  return counts;
}

/** Object files under the fs driver's root whose name ends with `suffix`, recursively. */
export function objectFiles(root: string, suffix: string): string[] {
  try {
    return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(suffix));
  } catch {
    return [];
  }
}
