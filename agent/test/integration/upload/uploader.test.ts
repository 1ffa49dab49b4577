import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLogger } from "@homecam/shared/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { putFile } from "../../../src/cloud/upload-put.js";
import { Uploader, type UploaderOptions } from "../../../src/cloud/uploader.js";
import {
  cloudRecording,
  json,
  makeMedia,
  recordEvent,
  startUploadWorld,
  tellCloud,
  type UploadWorld,
} from "./upload-fixture.js";

// The uploader against a real cloud: its media routes, its fs storage, its index.

const log = createLogger({ name: "test", level: "silent" });

describe("Uploader", () => {
  let w: UploadWorld;
  let media: { clip: string; thumb: string };
  let uploader: Uploader | undefined;

  beforeEach(async () => {
    w = await startUploadWorld();
    media = await makeMedia(w.agentDir, "clip");
  }, 30_000);
  afterEach(async () => {
    await uploader?.stop();
    uploader = undefined;
    await w?.close();
  });

  const build = (over: Partial<UploaderOptions> = {}) =>
    new Uploader({
      api: w.api,
      recordings: w.repos.recordings,
      log,
      fetch: w.fetch,
      pollMs: 200,
      retry: { initialMs: 50, maxMs: 400 },
      ...over,
    });

  const startedAtOf = async (id: string) => (await w.repos.recordings.get(id))!.startedAt;

  it("uploads the clip and the event's thumbnail; the paired user downloads the same bytes", async () => {
    const auth = await w.pairUser();
    const { recordingId } = await recordEvent(w, { tellCloud: true, clip: media.clip, thumb: media.thumb });
    uploader = build({ bytesPerSecond: 4 * 1024 * 1024 });
    await uploader.start(new AbortController().signal);
    uploader.kick();
    await pollUntil(async () => (await w.repos.recordings.get(recordingId))?.uploadState === "uploaded");

    const rec = await cloudRecording(w, auth, await startedAtOf(recordingId));
    expect(rec.uploaded).toBe(true);
    expect(rec.objectKey).toMatch(new RegExp(`/${recordingId}\\.mp4$`));
    const event = await json(w.cloud.url, "GET", `/api/events/${rec.eventId}`, auth);
    expect(event.thumbnailKey).toMatch(new RegExp(`/${recordingId}\\.jpg$`));

    const { url } = await json(w.cloud.url, "GET", `/api/clips/${rec.id}/presign-get`, auth);
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(downloaded.equals(await readFile(media.clip))).toBe(true);
  }, 30_000);

  it("stops promptly in the middle of a capped PUT, leaving the clip to upload again", async () => {
    const { recordingId } = await recordEvent(w, { tellCloud: true, clip: media.clip });
    // A clip of tens of kB at 1 kB/s would take tens of seconds: stop() must not wait for it.
    uploader = build({ bytesPerSecond: 1024 });
    await uploader.start(new AbortController().signal);
    await pollUntil(() => w.seen.some((s) => s.method === "PUT"));
    await uploader.stop();
    uploader = undefined;
    expect((await w.repos.recordings.get(recordingId))?.uploadState).toBe("pending");
    expect(w.seen.some((s) => s.url.endsWith("/api/media/complete"))).toBe(false);
  }, 30_000);

  it("retries while the cloud is down and succeeds once it is back on the same address", async () => {
    const { recordingId } = await recordEvent(w, { tellCloud: true, clip: media.clip });
    await w.stopCloud();
    uploader = build();
    await uploader.start(new AbortController().signal);
    // Several failed attempts (each a refused presign), and the clip still waits.
    await pollUntil(() => w.seen.filter((s) => s.url.endsWith("/api/media/presign")).length >= 3);
    expect((await w.repos.recordings.get(recordingId))?.uploadState).not.toBe("uploaded");

    await w.restartCloud();
    await pollUntil(async () => (await w.repos.recordings.get(recordingId))?.uploadState === "uploaded");
    const auth = await w.pairUser();
    expect((await cloudRecording(w, auth, await startedAtOf(recordingId))).uploaded).toBe(true);
  }, 30_000);

  it("leaves a recording the cloud does not know pending, asking again after unknownRetryMs or once it is known", async () => {
    let now = 1_000_000;
    const { recordingId } = await recordEvent(w, { tellCloud: false, clip: media.clip });
    uploader = build({ now: () => now, unknownRetryMs: 30_000 });
    const presigns = () => w.seen.filter((s) => s.url.endsWith("/api/media/presign")).length;

    expect(await uploader.runPass()).toBe(1);
    expect(presigns()).toBe(1);
    expect((await w.repos.recordings.get(recordingId))?.uploadState).toBe("pending");
    // Not due yet: kicks and passes do not ask again.
    for (let i = 0; i < 5; i++) {
      uploader.kick();
      expect(await uploader.runPass()).toBe(0);
    }
    expect(presigns()).toBe(1);

    now += 30_000;
    expect(await uploader.runPass()).toBe(1);
    expect(presigns()).toBe(2);
    expect(w.seen.some((s) => s.method === "PUT")).toBe(false);

    // Once the cloud knows it (the outbox's recording.ready acknowledged), it goes at once, not
    // 30 s later; an unrelated id changes nothing.
    const r = (await w.repos.recordings.get(recordingId))!;
    await tellCloud(w, r.eventId!, r.id, r.startedAt, r.sizeBytes);
    uploader.known("some-other-recording");
    expect(await uploader.runPass()).toBe(0);
    uploader.known(recordingId);
    expect(await uploader.runPass()).toBe(1);
    expect((await w.repos.recordings.get(recordingId))?.uploadState).toBe("uploaded");
  }, 30_000);

  it("marks a clip whose file is gone local_only without calling the cloud", async () => {
    const gone = join(w.agentDir, "gone.mp4");
    const copy = await readFile(media.clip);
    await writeFile(gone, copy);
    const { recordingId } = await recordEvent(w, { tellCloud: true, clip: gone });
    await rm(gone);
    const before = w.seen.length;
    uploader = build();
    expect(await uploader.runPass()).toBe(1);
    expect((await w.repos.recordings.get(recordingId))?.uploadState).toBe("local_only");
    expect(w.seen.length).toBe(before);
    expect(await uploader.runPass()).toBe(0);
  }, 30_000);

  it("resumes a clip a crash left `uploading`: one object, the same key, uploaded once", async () => {
    const auth = await w.pairUser();
    const { recordingId } = await recordEvent(w, { tellCloud: true, clip: media.clip });
    const size = (await readFile(media.clip)).length;
    // The crashed run: presigned and PUT the object, never confirmed.
    const first = await w.api.call<{
      objectKey: string;
      url: string;
      method: "PUT";
      headers: Record<string, string>;
    }>("POST", "/api/media/presign", {
      recordingId,
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: size,
    });
    await putFile(first, media.clip, {
      sizeBytes: size,
      bytesPerSecond: 0,
      signal: new AbortController().signal,
    });
    await w.repos.recordings.markUploadState(recordingId, "uploading");

    uploader = build();
    expect(await uploader.runPass()).toBe(1);
    expect((await w.repos.recordings.get(recordingId))?.uploadState).toBe("uploaded");
    expect(await uploader.runPass()).toBe(0);
    const rec = await cloudRecording(w, auth, await startedAtOf(recordingId));
    expect(rec.objectKey).toBe(first.objectKey);
    const objects = (await readdir(join(w.cloudDir, "objects"), { recursive: true })).filter((f) =>
      f.endsWith(".mp4"),
    );
    expect(objects).toHaveLength(1);
  }, 30_000);
});

/** Poll an async condition (generous timeout; no timing is asserted). */
async function pollUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
