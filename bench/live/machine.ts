// What the figures were measured on: CPU, load, and the versions of the parts that do the work.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

function packageVersion(name: string): string {
  try {
    const file = fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}

function ffmpegVersion(): string {
  try {
    const first = execFileSync("ffmpeg", ["-version"], { encoding: "utf8" }).split("\n")[0] ?? "";
    return /ffmpeg version (\S+)/.exec(first)?.[1] ?? first;
  } catch {
    return "not found";
  }
}

/** Lines describing the machine; `chromium` is the browser's own version string. */
export function machineLines(chromium: string, network: string): string[] {
  const cores = cpus();
  return [
    `machine: ${cores.length} × ${cores[0]?.model ?? "?"}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    `versions: Node ${process.version}, ffmpeg ${ffmpegVersion()}, Chromium ${chromium}, ` +
      `werift ${packageVersion("werift")}, @roamhq/wrtc ${packageVersion("@roamhq/wrtc")}`,
    `network: ${network}`,
  ];
}
