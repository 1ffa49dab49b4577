import { randomBytes } from "node:crypto";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CameraRuntimeControl } from "../../../src/camera/control.js";
import { type Command, CommandHandler } from "../../../src/cloud/command-handler.js";
import { EventDeletion } from "../../../src/cloud/event-deletion.js";
import type { Uploader } from "../../../src/cloud/uploader.js";
import { tempDir } from "../capture/helpers.js";
import { type AgentSide, addEvent, openAgentSide, pollUntil, silentLog } from "../upload/agent-side.js";
import { type MultipartCloud, startMultipartCloud } from "../upload/multipart-cloud.js";

// `event.delete` and `recording.delete` through the agent's command handler on its real store:
// files, rows and the `clip.deleted` facts the outbox must carry to the cloud.

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("event.delete and recording.delete commands", () => {
  let dir: { path: string; remove(): Promise<void> };
  let cloud: MultipartCloud;
  let side: AgentSide;
  let uploader: Uploader | undefined;
  let clipsDir: string;
  let seq = 0;

  beforeEach(async () => {
    dir = await tempDir("event-delete");
    clipsDir = join(dir.path, "clips");
    await mkdir(clipsDir);
    cloud = await startMultipartCloud();
    side = await openAgentSide(dir.path, cloud.url);
  });
  afterEach(async () => {
    await uploader?.stop();
    uploader = undefined;
    await side?.close();
    await cloud?.close();
    await dir?.remove();
  });

  async function file(name: string, bytes = 4096): Promise<string> {
    const path = join(clipsDir, name);
    await writeFile(path, randomBytes(bytes));
    return path;
  }

  function handler(deletion = new EventDeletion({ ...side.repos, log: silentLog })) {
    // event.delete never touches the cameras; the control is there for the other commands.
    return new CommandHandler({ control: {} as CameraRuntimeControl, log: silentLog, events: deletion });
  }

  const command = (eventId: string): Command => ({ name: "event.delete", args: { eventId } });
  const send = (h: CommandHandler, eventId: string) => h.handle(`req-${seq++}`, command(eventId));

  async function clipFacts() {
    const rows = await side.outbox.undelivered();
    return rows
      .filter((r) => r.type === "clip.deleted")
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  it("removes a pinned event's clips, thumbnail and rows, queuing clip.deleted with reason owner", async () => {
    const clips = [await file("a.mp4"), await file("b.mp4")];
    const thumb = await file("a.jpg", 512);
    const other = await addEvent(side, { clips: [await file("c.mp4")] });
    const { eventId, recordingIds } = await addEvent(side, { clips, thumb, pinned: true });
    await side.repos.recordings.markUploaded(recordingIds[0]!);
    // A multipart upload of the second clip was under way: its saved state must go with the clip.
    const upload = { uploadId: "u1", objectKey: "devices/d/b.mp4", partSizeBytes: 8, sizeBytes: 4096 };
    await side.multipart.begin(recordingIds[1]!, "clip", upload);
    await side.multipart.savePart(recordingIds[1]!, "clip", 1, '"etag-1"');
    const h = handler();

    expect(await send(h, eventId)).toEqual({ ok: true, data: { eventId, clipsDeleted: 2 } });

    for (const path of [...clips, thumb]) expect(await exists(path)).toBe(false);
    expect(await side.repos.recordings.byEvent(eventId)).toEqual([]);
    expect(await side.repos.events.get(eventId)).toBeUndefined();
    expect(await side.multipart.load(recordingIds[1]!, "clip")).toBeUndefined();
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.recordingId).localeCompare(String(b.recordingId));
    expect((await clipFacts()).sort(byId)).toEqual(
      [
        { recordingId: recordingIds[0], reason: "owner", uploaded: true },
        { recordingId: recordingIds[1], reason: "owner", uploaded: false },
      ].sort(byId),
    );
    // The owner asked for it: no "deleted before it was uploaded" warning, here or for the cloud.
    expect(await side.repos.warnings.list()).toEqual([]);
    expect((await side.outbox.undelivered()).some((r) => r.type === "retention.warning")).toBe(false);
    // Another event is untouched.
    expect(await side.repos.recordings.byEvent(other.eventId)).toHaveLength(1);

    // At-least-once: the same delete again (a new request id) and an unknown event are no-ops.
    const outboxBefore = (await side.outbox.undelivered()).length;
    expect(await send(h, eventId)).toEqual({ ok: true, data: { eventId, clipsDeleted: 0 } });
    expect(await send(h, "no-such-event")).toEqual({
      ok: true,
      data: { eventId: "no-such-event", clipsDeleted: 0 },
    });
    expect((await side.outbox.undelivered()).length).toBe(outboxBefore);
  });

  it("refuses an event still recording with E_CONFLICT and deletes nothing", async () => {
    await side.store.db
      .insertInto("cameras")
      .values({ id: "cam", name: "Cam", source_type: "rtsp", enabled: 1, created_at: 1, updated_at: 1 })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const open = await side.repos.events.insert({ cameraId: "cam", type: "motion", startedAt: Date.now() });

    const answer = await send(handler(), open.id);
    expect(answer).toMatchObject({ ok: false, error: { code: "E_CONFLICT" } });
    expect(await side.repos.events.get(open.id)).toBeDefined();
    expect(await clipFacts()).toEqual([]);
  });

  it("cancels the clip's upload in flight before its file goes", async () => {
    const { eventId, recordingIds } = await addEvent(side, { clips: [await file("slow.mp4", 256 * 1024)] });
    // 256 KiB at 4 KiB/s would take a minute: only a cancel ends it soon.
    uploader = side.uploader({ bytesPerSecond: 4096 });
    await uploader.start(new AbortController().signal);
    await pollUntil("the clip's PUT started", () => cloud.openPuts === 1, 5_000);
    const live = uploader;
    const deletion = new EventDeletion({
      ...side.repos,
      cancelUploads: (ids) => live.cancel(ids),
      log: silentLog,
    });

    expect(await send(handler(deletion), eventId)).toEqual({ ok: true, data: { eventId, clipsDeleted: 1 } });
    await pollUntil("the PUT abandoned", () => cloud.openPuts === 0, 3_000);
    expect(await side.repos.recordings.get(recordingIds[0]!)).toBeUndefined();
    await uploader.runPass();
    expect(cloud.presigns).toHaveLength(1);
    expect(cloud.completes).toEqual([]);
  });

  // recording.delete: one clip of an event (the same store, handler and facts).
  const recordingCommand = (recordingId: string): Command => ({
    name: "recording.delete",
    args: { recordingId },
  });
  const sendRecording = (h: CommandHandler, recordingId: string) =>
    h.handle(`req-${seq++}`, recordingCommand(recordingId));

  it("removes one clip's file and row, queuing clip.deleted with reason owner; a repeat is a no-op", async () => {
    const clips = [await file("a.mp4"), await file("b.mp4")];
    const thumb = await file("a.jpg", 512);
    const { eventId, recordingIds } = await addEvent(side, { clips, thumb });
    const [first, second] = recordingIds as [string, string];
    await side.repos.recordings.markUploaded(second);
    const h = handler();

    expect(await sendRecording(h, second)).toEqual({
      ok: true,
      data: { recordingId: second, clipsDeleted: 1 },
    });

    expect(await exists(clips[1]!)).toBe(false);
    expect(await side.repos.recordings.get(second)).toBeUndefined();
    expect(await clipFacts()).toEqual([{ recordingId: second, reason: "owner", uploaded: true }]);
    // The rest of the event is untouched: its other clip, its thumbnail, the event itself.
    expect(await exists(clips[0]!)).toBe(true);
    expect(await exists(thumb)).toBe(true);
    expect((await side.repos.recordings.byEvent(eventId)).map((r) => r.id)).toEqual([first]);
    expect(await side.repos.events.get(eventId)).toBeDefined();

    // The first clip carries the event's thumbnail (as for retention); never uploaded, still no
    // "deleted before it was uploaded" warning: the owner asked for it.
    expect(await sendRecording(h, first)).toEqual({
      ok: true,
      data: { recordingId: first, clipsDeleted: 1 },
    });
    expect(await exists(clips[0]!)).toBe(false);
    expect(await exists(thumb)).toBe(false);
    expect((await side.repos.events.get(eventId))?.thumbnailPath).toBeNull();
    expect((await clipFacts()).at(-1)).toEqual({ recordingId: first, reason: "owner", uploaded: false });
    expect(await side.repos.warnings.list()).toEqual([]);
    expect((await side.outbox.undelivered()).some((r) => r.type === "retention.warning")).toBe(false);

    // At-least-once: the same delete again (a new request id) and an unknown clip change nothing.
    const outboxBefore = (await side.outbox.undelivered()).length;
    expect(await sendRecording(h, second)).toEqual({
      ok: true,
      data: { recordingId: second, clipsDeleted: 0 },
    });
    expect(await sendRecording(h, "no-such-clip")).toEqual({
      ok: true,
      data: { recordingId: "no-such-clip", clipsDeleted: 0 },
    });
    expect((await side.outbox.undelivered()).length).toBe(outboxBefore);
  });

  it("cancels the clip's upload in flight before its file goes", async () => {
    const { recordingIds } = await addEvent(side, { clips: [await file("slow.mp4", 256 * 1024)] });
    const recordingId = recordingIds[0]!;
    // 256 KiB at 4 KiB/s would take a minute: only a cancel ends it soon.
    uploader = side.uploader({ bytesPerSecond: 4096 });
    await uploader.start(new AbortController().signal);
    await pollUntil("the clip's PUT started", () => cloud.openPuts === 1, 5_000);
    const live = uploader;
    const deletion = new EventDeletion({
      ...side.repos,
      cancelUploads: (ids) => live.cancel(ids),
      log: silentLog,
    });

    expect(await sendRecording(handler(deletion), recordingId)).toEqual({
      ok: true,
      data: { recordingId, clipsDeleted: 1 },
    });
    await pollUntil("the PUT abandoned", () => cloud.openPuts === 0, 3_000);
    expect(await side.repos.recordings.get(recordingId)).toBeUndefined();
    await uploader.runPass();
    expect(cloud.presigns).toHaveLength(1);
    expect(cloud.completes).toEqual([]);
  });
});
