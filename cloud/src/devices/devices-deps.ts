import type { Logger } from "@homecam/shared/node";
import type { DeviceCommand, DeviceCommander, RendezvousContext, ViewerPush } from "../rendezvous/context.js";

/** What the device and camera routes are built from. */
export interface DevicesDeps {
  ctx: RendezvousContext;
  /** Relays commands to agents (camera.add, grants.revoked). */
  commander: DeviceCommander;
  /** Tells signed-in viewers about unpairing and revoked grants. */
  push: ViewerPush;
}

/**
 * Tell an agent something it should act on without the caller waiting for it (`grants.revoked`):
 * an offline or slow agent is logged, never an error for the user who asked. The agent learns the
 * grant state again when it reconnects.
 */
export function notifyAgent(
  commander: DeviceCommander,
  log: Logger,
  deviceId: string,
  command: DeviceCommand,
): void {
  let pending: Promise<unknown>;
  try {
    pending = commander.send(deviceId, command);
  } catch (err) {
    pending = Promise.reject(err);
  }
  pending.catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    log.warn({ deviceId, command: command.name, code, err }, "agent not told: command failed");
  });
}
