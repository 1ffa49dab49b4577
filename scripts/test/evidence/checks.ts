import { expect } from "vitest";
import type { AgentState, CloudState } from "./databases.js";
import { objectFiles, uploadConfirmations } from "./settle.js";

/**
 * The "nothing lost, nothing twice" checks every outage test ends with, on a settled agent:
 * - every agent event is one cloud event (no duplicate by agent id, none missing, none extra);
 * - a camera's events reached the cloud in the order they happened (created_at follows started_at);
 * - every acknowledged outbox frame was applied once (`ingested_messages` holds exactly those ids,
 *   besides the cloud's own `upl-…` upload facts);
 * - every clip is uploaded: one cloud row with `uploaded_at`, one object, one confirmation.
 * `objects` lists the stored clip objects (file paths or keys ending in `<recordingId>.mp4`).
 */
export function expectExactlyOnce(
  agent: AgentState,
  cloud: CloudState,
  opts: { objects: string[]; agentLogs: string[] },
): void {
  const agentEventIds = agent.events.map((e) => e.id).sort();
  const cloudEventIds = cloud.events.map((e) => e.agent_event_id).sort();
  expect(cloudEventIds).toEqual(agentEventIds);

  for (const camera of new Set(cloud.events.map((e) => e.camera_id))) {
    const learnt = cloud.events.filter((e) => e.camera_id === camera).map((e) => e.created_at);
    expect(learnt).toEqual([...learnt].sort((a, b) => a - b));
  }

  const ingested = new Set(cloud.ingestedIds);
  expect(agent.deliveredIds.filter((id) => !ingested.has(id))).toEqual([]);
  expect(cloud.ingestedIds.filter((id) => !id.startsWith("upl-")).length).toBe(agent.deliveredIds.length);

  expect(agent.recordings.filter((r) => r.upload_state !== "uploaded")).toEqual([]);
  const byAgentId = new Map(cloud.recordings.map((r) => [r.agent_recording_id, r]));
  expect(cloud.recordings.length).toBe(agent.recordings.length);
  for (const r of agent.recordings) {
    const row = byAgentId.get(r.id);
    expect(row?.uploaded_at, `cloud row of ${r.id}`).not.toBeNull();
    expect(row?.size_bytes).toBe(r.size_bytes);
    expect(
      opts.objects.filter((o) => o.endsWith(`/${r.id}.mp4`)),
      `object of ${r.id}`,
    ).toHaveLength(1);
  }
  expect(opts.objects.length).toBe(agent.recordings.length);

  const confirmed = uploadConfirmations(opts.agentLogs);
  const twice = [...confirmed].filter(([, n]) => n !== 1);
  expect(twice, "recordings confirmed more than once").toEqual([]);
  expect(agent.recordings.filter((r) => !confirmed.has(r.id)).map((r) => r.id)).toEqual([]);
}

export { objectFiles };
