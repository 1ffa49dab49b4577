import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { cloudConfigSchema, type StorageConfigInput } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { CloudApi } from "../../agent/src/cloud/cloud-api.js";
import { loadOrCreateDeviceIdentity } from "../../agent/src/identity/device-identity.js";
import { startCloud } from "../../cloud/src/main.js";
import { freePort } from "../../scripts/test/e2e/processes.js";
import { S3Outage } from "../../scripts/test/evidence/s3-proxy.js";

const run = promisify(execFile);
const AGENT_SIDE = new URL("./agent-side.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

export interface UploadBenchOptions {
  /** Size of each uploaded file, MiB (above 8 MiB the s3 target goes in 8 MiB parts; fs takes one PUT). */
  sizeMB: number;
  /** Files per measured run. */
  files: number;
}

export interface UploadFigures {
  target: "fs" | "s3rver";
  mode: "uploader" | "raw";
  mbPerS: number;
  cpuMsPerMB: number;
}

/** `--size-mb 6 --files 5`. */
export function parseOptions(argv: string[]): UploadBenchOptions {
  const o: UploadBenchOptions = { sizeMB: 6, files: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === "--size-mb" && v > 0 && v <= 256) o.sizeMB = v;
    else if (argv[i] === "--files" && Number.isInteger(v) && v > 0) o.files = v;
    else throw new Error(`unknown or invalid option ${argv[i]} ${argv[i + 1]}`);
  }
  return o;
}

/** The cloud learns a camera, an event and `n` recordings of it (the outbox's HTTP twin). */
async function knownRecordings(api: CloudApi, sizeBytes: number, n: number, tag: string): Promise<string[]> {
  await api.call("POST", "/api/cameras", { cameras: [{ localId: "bench", name: "Bench" }] });
  const startedAt = Date.now() - 60_000;
  const eventId = `ev-${tag}-${startedAt}`;
  const event = { eventId, cameraId: "bench", type: "motion", startedAt, endedAt: startedAt + 1000 };
  await api.call("POST", "/api/events", {
    id: `e-${eventId}`,
    type: "event.ended",
    body: { ...event, durationMs: 1000, score: 0.5 },
  });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const recordingId = `rec-${tag}-${i}-${startedAt}`;
    await api.call("POST", "/api/events", {
      id: `r-${recordingId}`,
      type: "recording.ready",
      body: {
        recordingId,
        eventId,
        cameraId: "bench",
        index: i,
        startedAt: startedAt + i,
        endedAt: startedAt + i + 1000,
        durationMs: 1000,
        sizeBytes,
        format: "mp4",
      },
    });
    ids.push(recordingId);
  }
  return ids;
}

/** One target: a real cloud (its sources, this process) with `storage`, a paired device, both modes. */
async function measureTarget(
  target: UploadFigures["target"],
  storage: StorageConfigInput,
  o: UploadBenchOptions,
  file: string,
  dir: string,
): Promise<UploadFigures[]> {
  const port = await freePort();
  const config = cloudConfigSchema.parse({
    stateDir: join(dir, `cloud-${target}`),
    http: { host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}`, bodyLimitKB: 1024 },
    mqtt: { host: "127.0.0.1", port: 0 },
    storage,
  });
  const cloud = await startCloud({ config, log: createLogger({ name: "bench", level: "silent" }) });
  try {
    const stateDir = join(dir, `agent-${target}`);
    const api = new CloudApi({ baseUrl: cloud.url, identity: await loadOrCreateDeviceIdentity(stateDir) });
    const sizeBytes = o.sizeMB * 1024 * 1024;
    const out: UploadFigures[] = [];
    // Raw first then the uploader, then again in the other order: warm-up effects are shared.
    for (const mode of ["raw", "uploader", "raw", "uploader"] as const) {
      const recordingIds = await knownRecordings(api, sizeBytes, o.files, `${mode}-${out.length}`);
      const args = JSON.stringify({ cloudUrl: cloud.url, stateDir, file, sizeBytes, recordingIds, mode });
      const { stdout } = await run(
        process.execPath,
        ["--conditions=source", "--import", "tsx", AGENT_SIDE, args],
        { cwd: ROOT, maxBuffer: 1 << 20 },
      );
      const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as { wallMs: number; cpuMs: number };
      const mb = (sizeBytes * o.files) / (1024 * 1024);
      out.push({ target, mode, mbPerS: mb / (r.wallMs / 1000), cpuMsPerMB: r.cpuMs / mb });
    }
    // Keep the second (warm) run of each mode.
    return out.slice(2);
  } finally {
    await cloud.stop();
  }
}

export async function runUploadBench(o: UploadBenchOptions): Promise<UploadFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), "hc-bench-upload-"));
  let s3: S3Outage | undefined;
  try {
    const file = join(dir, "clip.bin");
    writeFileSync(file, randomBytes(o.sizeMB * 1024 * 1024));
    s3 = await S3Outage.start(dir);
    return [
      ...(await measureTarget("fs", { driver: "fs" }, o, file, dir)),
      ...(await measureTarget("s3rver", s3.storageConfig(), o, file, dir)),
    ];
  } finally {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table: throughput and agent CPU per MB, and the uploader's ratio to the raw PUT. */
export function report(figures: UploadFigures[]): string {
  const lines = ["target   mode      MB/s     agent CPU ms/MB   vs raw (MB/s, CPU)"];
  for (const f of figures) {
    const raw = figures.find((r) => r.target === f.target && r.mode === "raw")!;
    const ratio =
      f.mode === "raw"
        ? "-"
        : `${(f.mbPerS / raw.mbPerS).toFixed(2)}x, ${(f.cpuMsPerMB / raw.cpuMsPerMB).toFixed(2)}x`;
    lines.push(
      `${f.target.padEnd(8)} ${f.mode.padEnd(9)} ${f.mbPerS.toFixed(1).padStart(7)}  ${f.cpuMsPerMB.toFixed(2).padStart(15)}   ${ratio}`,
    );
  }
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  console.log(`bench/upload: ${o.files} files of ${o.sizeMB} MiB per run, loopback`);
  console.log(report(await runUploadBench(o)));
  return 0;
}
