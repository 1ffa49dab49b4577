import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { agentConfigSchema } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createUploader } from "../../../src/cloud/upload-setup.js";
import { type RunningAgent, startAgent } from "../../../src/main.js";
import { freePort, tempDir } from "../capture/helpers.js";
import {
  type AgentSide,
  addEvent,
  addEventlessClip,
  openAgentSide,
  pollUntil,
  silentLog,
} from "./agent-side.js";
import { type MultipartCloud, startMultipartCloud } from "./multipart-cloud.js";

// `cloud.upload.enabled` and `cloud.upload.onlyEvents`, through the real composition root
// (`startAgent`) where it matters: main.ts must not build an uploader for local-only clips.

describe("upload settings", () => {
  let cloud: MultipartCloud;
  let dir: { path: string; remove(): Promise<void> };
  let side: AgentSide | undefined;
  let agent: RunningAgent | undefined;
  let eventClip: string;
  let looseClip: string;

  beforeEach(async () => {
    cloud = await startMultipartCloud();
    dir = await tempDir("upload-settings");
    eventClip = join(dir.path, "event.mp4");
    looseClip = join(dir.path, "loose.mp4");
    await writeFile(eventClip, randomBytes(4096));
    await writeFile(looseClip, randomBytes(2048));
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await side?.close();
    side = undefined;
    await cloud?.close();
    await dir?.remove();
  });

  /** The agent as `homecam` runs it, on `dir`, with no cameras and a broker that is not there. */
  async function runAgent(upload: { enabled: boolean }): Promise<RunningAgent> {
    const config = agentConfigSchema.parse({
      stateDir: dir.path,
      http: { host: "127.0.0.1", port: 0 },
      cloud: { enabled: true, url: cloud.url, mqttUrl: `mqtt://127.0.0.1:${await freePort()}`, upload },
      cameras: [],
    });
    return startAgent({ config, log: silentLog, version: "test" });
  }

  it("enabled: false builds no uploader: pending clips stay on the device, no presign at all", async () => {
    side = await openAgentSide(dir.path, cloud.url);
    // The clip without an event is the older one: with onlyEvents off it would go first.
    const loose = await addEventlessClip(side, looseClip);
    const { recordingIds } = await addEvent(side, { clips: [eventClip] });
    await side.close();
    side = undefined;

    agent = await runAgent({ enabled: false });
    expect(agent.status().map((m) => m.name)).not.toContain("uploader");
    // An uploader looks at its queue the moment it starts; give one a generous second to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(cloud.presigns).toEqual([]);
    await agent.stop();
    agent = undefined;

    // Same database, uploads on (onlyEvents by default): the event's clip goes, the loose one stays.
    agent = await runAgent({ enabled: true });
    expect(agent.status().find((m) => m.name === "uploader")?.state).toBe("running");
    await pollUntil("the event's clip confirmed", () => cloud.completes.length === 1);
    await agent.stop();
    agent = undefined;
    expect(cloud.presigns.map((p) => p.body.recordingId)).toEqual([recordingIds[0]]);

    side = await openAgentSide(dir.path, cloud.url);
    expect((await side.repos.recordings.get(recordingIds[0]!))?.uploadState).toBe("uploaded");
    expect((await side.repos.recordings.get(loose))?.uploadState).toBe("pending");
  }, 60_000);

  it("onlyEvents: false also uploads clips that belong to no event", async () => {
    side = await openAgentSide(dir.path, cloud.url);
    const loose = await addEventlessClip(side, looseClip);
    const { recordingIds } = await addEvent(side, { clips: [eventClip] });
    const settings = { enabled: true, onlyEvents: false, concurrency: 1, maxBytesPerSecond: 0 };
    const deps = {
      api: side.api,
      recordings: side.repos.recordings,
      multipart: side.multipart,
      log: silentLog,
    };
    expect(createUploader({ ...settings, enabled: false }, deps)).toBeUndefined();

    const uploader = createUploader(settings, deps);
    expect(await uploader?.runPass()).toBe(1);
    expect(await uploader?.runPass()).toBe(1);
    expect(await uploader?.runPass()).toBe(0);
    expect(cloud.presigns.map((p) => p.body.recordingId)).toEqual([loose, recordingIds[0]]);
    for (const id of [loose, recordingIds[0]!])
      expect((await side.repos.recordings.get(id))?.uploadState).toBe("uploaded");
  }, 30_000);
});
