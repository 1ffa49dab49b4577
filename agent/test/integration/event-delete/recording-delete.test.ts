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

// `recording.delete` through the agent's command handler on its real store: one clip's file and
// row go with a `clip.deleted` fact (reason `owner`), the rest of its event stays.

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("recording.delete command", () => {
  let dir: { path: string; remove(): Promise<void> };
  let cloud: MultipartCloud;
  let side: AgentSide;
  let uploader: Uploader | undefined;
  let clipsDir: string;
  let seq = 0;

  beforeEach(async () => {
    dir = await tempDir("recording-delete");
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
    return new CommandHandler({ control: {} as CameraRuntimeControl, log: silentLog, events: deletion });
  }

  const command = (recordingId: string): Command => ({ name: "recording.delete", args: { recordingId } });
  const send = (h: CommandHandler, recordingId: string) => h.handle(`req-${seq++}`, command(recordingId));

  async function clipFacts() {
    const rows = await side.outbox.undelivered();
    return rows
      .filter((r) => r.type === "clip.deleted")
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  it("removes one clip's file and row, queuing clip.deleted with reason owner; a repeat is a no-op", async () => {
    const clips = [await file("a.mp4"), await file("b.mp4")];
    const thumb = await file("a.jpg", 512);
    const { eventId, recordingIds } = await addEvent(side, { clips, thumb });
    const [first, second] = recordingIds as [string, string];
    await side.repos.recordings.markUploaded(second);
    const h = handler();

    expect(await send(h, second)).toEqual({ ok: true, data: { recordingId: second, clipsDeleted: 1 } });

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
    expect(await send(h, first)).toEqual({ ok: true, data: { recordingId: first, clipsDeleted: 1 } });
    expect(await exists(clips[0]!)).toBe(false);
    expect(await exists(thumb)).toBe(false);
    expect((await side.repos.events.get(eventId))?.thumbnailPath).toBeNull();
    expect((await clipFacts()).at(-1)).toEqual({ recordingId: first, reason: "owner", uploaded: false });
    expect(await side.repos.warnings.list()).toEqual([]);
    expect((await side.outbox.undelivered()).some((r) => r.type === "retention.warning")).toBe(false);

    // At-least-once: the same delete again (a new request id) and an unknown clip change nothing.
    const outboxBefore = (await side.outbox.undelivered()).length;
    expect(await send(h, second)).toEqual({ ok: true, data: { recordingId: second, clipsDeleted: 0 } });
    expect(await send(h, "no-such-clip")).toEqual({
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

    expect(await send(handler(deletion), recordingId)).toEqual({
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
