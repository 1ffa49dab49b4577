// The homecam broker under test, alone in its own Node process so /proc shows its CPU and memory
// apart from the clients': the cloud's startBroker (aedes + packet guard + ACL + payload validation)
// with a DeviceRegistry on a freshly migrated SQLite database in a temp dir, on 127.0.0.1 port 0.
//
// Spawned by brokers.ts with an IPC channel (run under `--conditions=source --import tsx`, and
// `--expose-gc` for the memory part). Protocol, one JSON message each way:
//   child → parent  {type: "ready", port, service: {username, password}}   once listening
//   parent → child  {type: "mem"}    → child {type: "mem", ...MemoryProbe}  after a full GC
//   parent → child  {type: "stop"}   → broker and database closed, process exits
// The service password travels over the IPC pipe only; it is never printed.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@homecam/shared/node";
import { startBroker } from "../../cloud/src/broker/broker.js";
import { migrateToLatest } from "../../cloud/src/db/migrate.js";
import { openDatabase } from "../../cloud/src/db/open-database.js";
import { DeviceRegistry } from "../../cloud/src/devices/device-registry.js";

/** What the child reports on `{type: "mem"}`. Bytes, from process.memoryUsage(). */
export interface MemoryProbe {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Clients the broker counts as connected and authenticated. */
  connectedClients: number;
  /** False when the process was started without --expose-gc (figures then include garbage). */
  gc: boolean;
}

export type ChildReply =
  | { type: "ready"; port: number; service: { username: string; password: string } }
  | ({ type: "mem" } & MemoryProbe);

export type ChildRequest = { type: "mem" } | { type: "stop" };

const send = (msg: ChildReply) => process.send?.(msg);

async function main(): Promise<void> {
  if (!process.send) throw new Error("aedes-child must be spawned with an IPC channel");
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-relay-"));
  // Warnings only, to stderr: a dropped payload or a refused client shows up in the bench output.
  const log = createLogger({ name: "bench-broker", level: "warn", destination: process.stderr });
  const db = openDatabase("sqlite:cloud.db", { stateDir, poolSize: 1, log });
  await migrateToLatest(db, log);
  const broker = await startBroker({
    registry: new DeviceRegistry({ db: db.db }),
    log,
    host: "127.0.0.1",
    port: 0,
    maxPacketBytes: 256 * 1024,
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await broker.close();
    await db.close();
    await rm(stateDir, { recursive: true, force: true });
    process.disconnect?.();
    // Everything is closed, so the process should end by itself; make sure it does.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("message", (msg: ChildRequest) => {
    if (msg.type === "mem") {
      const gc = (globalThis as { gc?: () => void }).gc;
      // Twice: the first pass can leave objects that only die once their finalizers ran.
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      send({
        type: "mem",
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        connectedClients: broker.connectedClients(),
        gc: gc !== undefined,
      });
    } else if (msg.type === "stop") {
      void stop();
    }
  });
  // The parent went away without saying stop (killed, crashed): do not linger.
  process.on("disconnect", () => void stop());
  const { username, password } = broker.service;
  send({ type: "ready", port: broker.port, service: { username, password } });
}

main().catch((err: unknown) => {
  console.error(`aedes-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
