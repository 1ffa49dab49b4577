import type { CloudConfig, CommandArgs, CommandName, ViewerEvent } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { DatabaseDialect } from "../db/open-database.js";
import type { CloudDatabase } from "../db/schema.js";
import type { AccessLog } from "../devices/access-log.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import type { Clock } from "../security/clock.js";

/** Pushes events to signed-in viewers (the `/api/ws` hub implements it). */
export interface ViewerPush {
  /** Send `event` to every open viewer socket of these users. Never throws. */
  toUsers(userIds: readonly string[], event: ViewerEvent): void;
  /**
   * `userId` lost its grant on `deviceId`: tell them (`grant.revoked`) and end whatever they have
   * open on that device (live sessions, subscriptions). Never throws.
   */
  revoked(userId: string, deviceId: string): void;
}

/** One command for a device, as the MQTT `command` body carries it. */
export type DeviceCommand = { [N in CommandName]: { name: N; args: CommandArgs<N> } }[CommandName];

/** Options of one relayed command. */
export interface CommandOptions {
  /** Caller-chosen id: a repeated id is executed once and answered with the first result. */
  requestId?: string;
  /** Default: `relay.commandTimeoutMs` from the config. */
  timeoutMs?: number;
}

/** Sends commands to devices over MQTT and waits for their answer. */
export interface DeviceCommander {
  /**
   * Relay `command` to `deviceId`. Resolves with the device's `data`; throws ApiError:
   * `E_DEVICE_OFFLINE` (not connected), `E_TIMEOUT` (no answer in time), or the device's own error.
   */
  send(deviceId: string, command: DeviceCommand, opts?: CommandOptions): Promise<unknown>;
  /** True while the device holds a live MQTT connection (its retained status is `online`). */
  isOnline(deviceId: string): boolean;
}

/** What every rendezvous module (pairing, devices, relay, presence) is built from. */
export interface RendezvousContext {
  config: Readonly<CloudConfig>;
  db: Kysely<CloudDatabase>;
  dialect: DatabaseDialect;
  clock: Clock;
  log: Logger;
  registry: DeviceRegistry;
  accessLog: AccessLog;
}
