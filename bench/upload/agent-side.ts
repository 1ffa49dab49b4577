// The agent's side of bench/upload, in its own process so its CPU is the agent's alone: uploads
// each recording with the agent's real upload job (presign → streamed PUT → complete), or, as the
// baseline, presigns and PUTs the same file (or, above the multipart threshold, its parts) with a
// bare fetch (no job, no schema checks, no complete). Prints one JSON line: wall ms and user+system
// CPU ms around the uploads only.

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { mediaPresignResultSchema } from "@homecam/shared";
import { CloudApi } from "../../agent/src/cloud/cloud-api.js";
import { runUploadJob } from "../../agent/src/cloud/upload-job.js";
import { loadOrCreateDeviceIdentity } from "../../agent/src/identity/device-identity.js";
import { MemoryMultipartState } from "../../agent/src/store/multipart-uploads-repo.js";

interface Args {
  cloudUrl: string;
  stateDir: string;
  file: string;
  sizeBytes: number;
  recordingIds: string[];
  mode: "uploader" | "raw";
}

const args = JSON.parse(process.argv[2]!) as Args;
const identity = await loadOrCreateDeviceIdentity(args.stateDir);
const api = new CloudApi({ baseUrl: args.cloudUrl, identity });
const signal = new AbortController().signal;

async function rawPut(recordingId: string): Promise<void> {
  const presigned = mediaPresignResultSchema.parse(
    await api.call("POST", "/api/media/presign", {
      recordingId,
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: args.sizeBytes,
    }),
  );
  if (presigned.mode === "single") {
    await put(presigned, 0, args.sizeBytes);
    return;
  }
  // Above the multipart threshold on S3: the same parts, one bare PUT each (no complete).
  for (const part of presigned.parts) {
    const start = (part.partNumber - 1) * presigned.partSizeBytes;
    await put(part, start, Math.min(presigned.partSizeBytes, args.sizeBytes - start));
  }
}

async function put(
  target: { url: string; method: string; headers: Record<string, string> },
  start: number,
  length: number,
): Promise<void> {
  const res = await fetch(target.url, {
    method: target.method,
    headers: { ...target.headers, "content-length": String(length) },
    body: Readable.toWeb(
      createReadStream(args.file, { start, end: start + length - 1 }),
    ) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`raw PUT answered ${res.status}`);
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const recordingId of args.recordingIds) {
  if (args.mode === "raw") await rawPut(recordingId);
  else {
    const outcome = await runUploadJob(
      { recordingId, filePath: args.file, thumbnailPath: null, clipDone: false, onClipDone: () => {} },
      { api, bytesPerSecond: 0, signal, multipart: new MemoryMultipartState(), onThumbnailSkipped: () => {} },
    );
    if (outcome.kind !== "uploaded") throw new Error(`upload of ${recordingId}: ${outcome.kind}`);
  }
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
