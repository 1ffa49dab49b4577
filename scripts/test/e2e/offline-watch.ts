import { activeConnectionsSchema } from "@homecam/shared";
import type { CloudClient } from "./cloud-client.js";
import { waitFor } from "./processes.js";
import { deviceStatus, type ViewerSocket } from "./viewer-socket.js";

/** How long after the trigger each view of the cloud showed the device offline, in ms. */
export interface OfflineLatency {
  /** The `device.status` offline push on the owner's viewer socket. */
  socketMs: number;
  /** `GET /api/connection/active` answering offline (polled every 50 ms, so up to 50 ms late). */
  restMs: number;
}

/**
 * Run `trigger` (something that takes the agent away) and measure until the owner's socket got
 * `device.status` offline and `GET /api/connection/active` says offline. Fails after `timeoutMs`.
 */
export async function measureOffline(
  opts: { socket: ViewerSocket; cloud: CloudClient; ownerToken: string; deviceId: string; timeoutMs: number },
  trigger: () => void,
): Promise<OfflineLatency> {
  const { socket, cloud, deviceId, timeoutMs } = opts;
  const from = socket.mark();
  const started = performance.now();
  trigger();
  const [pushed, listedAt] = await Promise.all([
    socket.next("device.status offline", deviceStatus(deviceId, "offline"), { from, timeoutMs }),
    waitFor(
      "the device offline in GET /api/connection/active",
      async () => {
        const list = await cloud.data(activeConnectionsSchema, "GET", "/api/connection/active", {
          token: opts.ownerToken,
        });
        return list.find((d) => d.deviceId === deviceId)?.status === "offline" && performance.now();
      },
      { timeoutMs, intervalMs: 50 },
    ),
  ]);
  return { socketMs: pushed.at - started, restMs: listedAt - started };
}
