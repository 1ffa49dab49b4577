/** The outcome of one `homecam doctor` check. */
export interface CheckResult {
  name: string;
  status: "ok" | "warn" | "fail";
  /** What was found, in a sentence an operator understands. */
  detail: string;
  /** A concrete next step (a command to run, a setting to change) when the status is not ok. */
  fix?: string;
}

const SYMBOLS: Record<CheckResult["status"], string> = { ok: "✓", warn: "!", fail: "✗" };

/** One line of `homecam doctor` output: `✗ ffmpeg: not installed — fix: sudo apt-get install -y ffmpeg`. */
export function formatCheckLine(result: CheckResult): string {
  const fix = result.status !== "ok" && result.fix ? ` — fix: ${result.fix}` : "";
  return `${SYMBOLS[result.status]} ${result.name}: ${result.detail}${fix}`;
}

/** Warnings do not fail the doctor: the agent runs, degraded. */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status === "fail") ? 1 : 0;
}
