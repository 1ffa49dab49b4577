import type { AgentConfig } from "@homecam/shared";
import { checkClock } from "./check-clock.js";
import { checkDisk } from "./check-disk.js";
import { checkFfmpeg } from "./check-ffmpeg.js";
import type { CheckResult } from "./check-result.js";
import { checkStateDir } from "./check-state-dir.js";

/** The slice of the configuration the checks read. */
export type DoctorConfig = Pick<AgentConfig, "stateDir" | "storage" | "cloud">;

/**
 * Every check, in the order an operator fixes things. The state directory is checked (and created)
 * before the disk so the free space is measured on the disk the agent will actually use.
 */
export async function runDoctor(config: DoctorConfig): Promise<CheckResult[]> {
  const [ffmpeg, clock] = await Promise.all([checkFfmpeg(), checkClock({ cloud: config.cloud })]);
  const stateDir = await checkStateDir(config.stateDir);
  const disk = await checkDisk(config.stateDir, config.storage.minFreeMB);
  return [ffmpeg, stateDir, disk, clock];
}
