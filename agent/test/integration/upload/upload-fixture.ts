import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cloudConfigSchema } from "@homecam/shared";
import { createLogger, type Logger } from "@homecam/shared/node";
import { type RunningCloud, startCloud } from "../../../../cloud/src/main.js";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { type AgentRepos, agentRepos } from "../../../src/store/repos.js";
import { freePort, tempDir } from "../capture/helpers.js";

// A real cloud (SQLite in a temp dir, fixed port so it can come back on the same address), a real
// agent store and device identity, and the REST calls that make the cloud know a recording — the
// HTTP twin of what the agent's outbox delivers over MQTT.

const execFileP = promisify(execFile);
const silent = (): Logger => createLogger({ name: "test", level: "silent" });

/** One request the agent's CloudApi or uploader made. */
export interface SeenRequest {
  method: string;
  url: string;
}

export interface UploadWorld {
  cloud: RunningCloud;
  api: CloudApi;
  store: AgentStore;
  repos: AgentRepos;
  /** Every request of the agent side (CloudApi and PUTs through {@link fetch}). */
  seen: SeenRequest[];
  /** A counting fetch, for the uploader's PUTs. */
  fetch: typeof fetch;
  agentDir: string;
  cloudDir: string;
  /** Stop the cloud (its state stays). */
  stopCloud(): Promise<void>;
  /** A new cloud on the same state dir and port. */
  restartCloud(): Promise<void>;
  /** A registered user paired to the device; its bearer header. */
  pairUser(): Promise<string>;
  close(): Promise<void>;
}

export async function startUploadWorld(): Promise<UploadWorld> {
  const cloudDir = await tempDir("upload-cloud");
  const agentDir = await tempDir("upload-agent");
  const port = await freePort();
  const config = cloudConfigSchema.parse({
    stateDir: cloudDir.path,
    http: { host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}` },
    mqtt: { host: "127.0.0.1", port: 0 },
  });
  let cloud: RunningCloud | undefined = await startCloud({ config, log: silent() });
  const seen: SeenRequest[] = [];
  const counting: typeof fetch = (input, init) => {
    seen.push({ method: init?.method ?? "GET", url: String(input) });
    return globalThis.fetch(input, init);
  };
  const identity = await loadOrCreateDeviceIdentity(agentDir.path);
  const api = new CloudApi({ baseUrl: cloud.url, identity, fetch: counting });
  const store = await openAgentStore(agentDir.path, { log: silent() });
  const repos = agentRepos(store.db);
  return {
    get cloud() {
      if (!cloud) throw new Error("the cloud is stopped");
      return cloud;
    },
    api,
    store,
    repos,
    seen,
    fetch: counting,
    agentDir: agentDir.path,
    cloudDir: cloudDir.path,
    async stopCloud() {
      await cloud?.stop();
      cloud = undefined;
    },
    async restartCloud() {
      cloud = await startCloud({ config, log: silent() });
    },
    async pairUser() {
      const url = `http://127.0.0.1:${port}`;
      const reg = await json(url, "POST", "/api/auth/register", undefined, {
        email: `owner-${Date.now()}@upload.test`,
        password: "correct horse battery staple",
        name: "Owner",
        agreeTerms: true,
        agreePrivacy: true,
      });
      const auth = `Bearer ${reg.accessToken}`;
      const session = await api.call<{ pairingId: string; pin: string }>("POST", "/api/qr/generate", {});
      await json(url, "POST", "/api/connection/establish", auth, {
        pairingId: session.pairingId,
        pin: session.pin,
      });
      return auth;
    },
    async close() {
      await cloud?.stop();
      await store.close();
      await cloudDir.remove();
      await agentDir.remove();
    },
  };
}

/** A REST call answering the envelope's data; throws on an error envelope. */
export async function json(
  base: string,
  method: string,
  path: string,
  auth?: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: test helper over many response shapes
): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(auth && { authorization: auth }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const envelope = (await res.json()) as { ok: boolean; data?: unknown; error?: unknown };
  if (!envelope.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(envelope.error)}`);
  return envelope.data;
}

/** A real 1-second MP4 (and a JPEG) made by ffmpeg from its test source. */
export async function makeMedia(dir: string, name: string): Promise<{ clip: string; thumb: string }> {
  const clip = join(dir, `${name}.mp4`);
  const thumb = join(dir, `${name}.jpg`);
  const common = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi"];
  await execFileP("ffmpeg", [...common, "-i", "testsrc2=s=320x240:r=10:d=1", "-pix_fmt", "yuv420p", clip]);
  await execFileP("ffmpeg", [...common, "-i", "testsrc2=s=160x120", "-frames:v", "1", thumb]);
  return { clip, thumb };
}

let seq = 0;

/**
 * An ended event of camera `cam` with one clip (and thumbnail) in the agent's store; with
 * `tellCloud`, the cloud learns the camera, the event and the recording too.
 */
export async function recordEvent(
  w: UploadWorld,
  opts: { tellCloud: boolean; clip: string; thumb?: string },
): Promise<{ eventId: string; recordingId: string }> {
  const n = seq++;
  const now = Date.now();
  await w.store.db
    .insertInto("cameras")
    .values({ id: "cam", name: "Cam", source_type: "rtsp", enabled: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const startedAt = now - 60_000 + n * 2_000;
  const event = await w.repos.events.insert({ cameraId: "cam", type: "motion", startedAt });
  const size = (await stat(opts.clip)).size;
  const { recordings } = await w.repos.events.finish(
    event,
    {
      endedAt: startedAt + 1_000,
      score: 0.7,
      metadata: {},
      ...(opts.thumb && { thumbnail: { path: opts.thumb, sizeBytes: (await stat(opts.thumb)).size } }),
    },
    [
      {
        index: 0,
        filePath: opts.clip,
        startedAt,
        endedAt: startedAt + 1_000,
        durationMs: 1_000,
        sizeBytes: size,
        format: "mp4",
      },
    ],
  );
  const recording = recordings[0]!;
  if (opts.tellCloud) await tellCloud(w, event.id, recording.id, startedAt, size);
  return { eventId: event.id, recordingId: recording.id };
}

/** What the outbox would deliver: the camera, `event.ended` and `recording.ready`. */
export async function tellCloud(
  w: UploadWorld,
  eventId: string,
  recordingId: string,
  startedAt: number,
  sizeBytes: number,
): Promise<void> {
  await w.api.call("POST", "/api/cameras", { cameras: [{ localId: "cam", name: "Cam" }] });
  const endedAt = startedAt + 1_000;
  const frames = [
    {
      type: "event.ended",
      body: { eventId, cameraId: "cam", type: "motion", startedAt, endedAt, durationMs: 1_000, score: 0.7 },
    },
    {
      type: "recording.ready",
      body: {
        recordingId,
        eventId,
        cameraId: "cam",
        index: 0,
        startedAt,
        endedAt,
        durationMs: 1_000,
        sizeBytes,
        format: "mp4",
      },
    },
  ];
  for (const f of frames) {
    await w.api.call("POST", "/api/events", { id: `${f.type.replace(".", "-")}-${recordingId}`, ...f });
  }
}

/** The cloud's view of the agent's recording (as the paired user sees it). */
export async function cloudRecording(
  w: UploadWorld,
  auth: string,
  agentStartedAt: number,
): Promise<{ id: string; uploaded: boolean; objectKey: string | null; eventId: string | null }> {
  const data = await json(w.cloud.url, "GET", "/api/recordings?limit=100", auth);
  const rec = (data.recordings as { id: string; startedAt: string }[]).find(
    (r) => Date.parse(r.startedAt) === agentStartedAt,
  );
  if (!rec) throw new Error("the cloud does not list the recording");
  return json(w.cloud.url, "GET", `/api/recordings/${rec.id}`, auth);
}
