// The cloud under test for part 3 (command round trip), alone in its own Node process so /proc
// shows its CPU apart from the agent's and the HTTP client's: the product's composition root
// (`startCloud`: HTTP API, accounts, pairing, command relay, presence, embedded broker) on SQLite
// in a temp dir, HTTP and MQTT on 127.0.0.1 with ports picked by the OS.
//
// Spawned by roundtrip-cloud.ts with an IPC channel (under `--conditions=source --import tsx`):
//   child → parent  {type: "ready", url, mqttUrl}   once both listeners are up
//   parent → child  {type: "stop"}                  → cloud stopped, temp dir removed, process exits

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigSchema } from "@homecam/shared";
import { startCloud } from "../../cloud/src/main.js";
import { benchLogger } from "./log-sink.js";

export interface CloudReady {
  type: "ready";
  /** REST base URL. */
  url: string;
  /** The embedded broker, for the agent. */
  mqttUrl: string;
}

export type CloudChildRequest = { type: "stop" };

async function main(): Promise<void> {
  if (!process.send) throw new Error("cloud-child must be spawned with an IPC channel");
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-cloud-"));
  const config = cloudConfigSchema.parse({
    stateDir,
    database: { url: "sqlite:cloud.db" },
    http: { host: "127.0.0.1", port: 0 },
    mqtt: { host: "127.0.0.1", port: 0 },
  });
  const cloud = await startCloud({ config, log: benchLogger("bench-cloud"), stopGraceMs: 1000 });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
    process.disconnect?.();
    // Everything is closed, so the process should end by itself; make sure it does.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("message", (msg: CloudChildRequest) => {
    if (msg.type === "stop") void stop();
  });
  // The parent went away without saying stop (killed, crashed): do not linger.
  process.on("disconnect", () => void stop());
  const ready: CloudReady = { type: "ready", url: cloud.url, mqttUrl: `mqtt://127.0.0.1:${cloud.mqtt.port}` };
  process.send(ready);
}

main().catch((err: unknown) => {
  console.error(`cloud-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
