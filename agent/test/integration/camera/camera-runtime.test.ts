import { cameraConfigSchema } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CameraRuntimeState } from "../../../src/camera/camera-runtime-state.js";
import type { AgentStore } from "../../../src/store/agent-store.js";
import type { AgentRepos } from "../../../src/store/repos.js";
import { capturingLogger, openRepos, tempDir } from "./helpers.js";

const cam = (id: string, extra: Record<string, unknown> = {}) =>
  cameraConfigSchema.parse({ id, name: id.toUpperCase(), source: { type: "test" }, ...extra });

describe("remote camera changes in the agent's SQLite (camera_runtime)", () => {
  let dir: { path: string; remove(): Promise<void> };
  let store: AgentStore;
  let repos: AgentRepos;
  let log: ReturnType<typeof capturingLogger>["log"];
  let lines: string[];
  const warnings = () => lines.filter((l) => (JSON.parse(l) as { level: number }).level === 40);

  beforeEach(async () => {
    dir = await tempDir("runtime");
    ({ store, repos } = await openRepos(dir.path));
    ({ log, lines } = capturingLogger());
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  async function reopen(fileCameras = [cam("a"), cam("b")]): Promise<CameraRuntimeState> {
    await store.close();
    ({ store, repos } = await openRepos(dir.path));
    const state = new CameraRuntimeState({ fileCameras, repo: repos.runtime, log });
    await state.load();
    return state;
  }

  it("persists settings patches, privacy mode and added cameras, and applies them over the file at the next start", async () => {
    const state = new CameraRuntimeState({ fileCameras: [cam("a"), cam("b")], repo: repos.runtime, log });
    await state.load();
    await state.updateSettings("a", { motion: { sensitivity: 10 } });
    await state.updateSettings("a", { name: "Front", recording: { preRollSeconds: 2 } });
    await state.setArmed(["b"], false);
    await state.add(cam("c", { motion: { sensitivity: 99 } }));

    const again = await reopen();
    expect(
      again.cameras().map((c) => [c.id, c.name, c.motion.sensitivity, c.recording.preRollSeconds]),
    ).toEqual([
      ["a", "Front", 10, 2],
      ["b", "B", 60, 5],
      ["c", "C", 99, 5],
    ]);
    expect(["a", "b", "c"].map((id) => again.isArmed(id))).toEqual([true, false, true]);
    // The file still governs what was never changed remotely.
    const edited = await reopen([cam("a", { recording: { postRollSeconds: 30 } }), cam("b")]);
    expect(edited.get("a").recording).toMatchObject({ preRollSeconds: 2, postRollSeconds: 30 });
  });

  it("refuses a duplicate or a seventeenth camera", async () => {
    const files = Array.from({ length: 15 }, (_, i) => cam(`f${i}`));
    const state = new CameraRuntimeState({ fileCameras: files, repo: repos.runtime, log });
    await state.load();
    await expect(state.add(cam("f0"))).rejects.toMatchObject({ code: "HC_ERR_CAMERA_EXISTS" });
    await state.add(cam("x"));
    await expect(state.add(cam("y"))).rejects.toMatchObject({ code: "HC_ERR_CAMERA_LIMIT" });
    await expect(state.updateSettings("nope", {})).rejects.toMatchObject({ code: "HC_ERR_CAMERA_NOT_FOUND" });
  });

  it("skips stored data that no longer validates, and lets the file win over a remotely added id", async () => {
    await repos.runtime.saveSettingsPatch("a", { motion: { sensitivity: 1000 } });
    await repos.runtime.saveAddedCamera({ id: "broken" });
    await repos.runtime.saveAddedCamera(cam("b", { name: "Remote B" }));
    const state = await reopen([cam("a"), cam("b")]);
    expect(state.cameras().map((c) => [c.id, c.name, c.motion.sensitivity])).toEqual([
      ["a", "A", 60],
      ["b", "B", 60],
    ]);
    expect(warnings()).toHaveLength(3);
  });

  it("gives a camera added again under an old id a fresh start (armed, no old patch)", async () => {
    await repos.runtime.saveSettingsPatch("old", { name: "Stale" });
    await repos.runtime.setArmed(["old"], false);
    const state = new CameraRuntimeState({ fileCameras: [], repo: repos.runtime, log });
    await state.load();
    await state.add(cam("old"));
    const again = await reopen([]);
    expect(again.get("old").name).toBe("OLD");
    expect(again.isArmed("old")).toBe(true);
  });
});
