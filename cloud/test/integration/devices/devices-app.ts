import { randomBytes } from "node:crypto";
import { ApiError, commandBodySchema, type ErrorCode, type ViewerEvent } from "@homecam/shared";
import { cameraRoutes } from "../../../src/devices/camera-routes.js";
import { deviceRoutes } from "../../../src/devices/device-routes.js";
import type { DeviceCommand, DeviceCommander, ViewerPush } from "../../../src/rendezvous/context.js";
import type { TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// The feature app with the device and camera routes, a device commander that answers like an agent
// would (at the protocol level: it validates the command body against the shared contract and
// answers a catalogue error or data), and a viewer push that records what it was asked to send.

/** How the fake agent of one device answers. */
export type AgentBehaviour = "ok" | "offline" | "timeout" | { code: ErrorCode; message: string };

/** A DeviceCommander standing in for the MQTT relay and the agents behind it. */
export class FakeCommander implements DeviceCommander {
  readonly sent: { deviceId: string; command: DeviceCommand }[] = [];
  private readonly behaviour = new Map<string, AgentBehaviour>();

  /** Set how `deviceId`'s agent answers from now on ("ok" unless told). */
  behave(deviceId: string, behaviour: AgentBehaviour): void {
    this.behaviour.set(deviceId, behaviour);
  }

  /** The commands `deviceId` received, in order. */
  commandsTo(deviceId: string): DeviceCommand[] {
    return this.sent.filter((s) => s.deviceId === deviceId).map((s) => s.command);
  }

  async send(deviceId: string, command: DeviceCommand): Promise<unknown> {
    const behaviour = this.behaviour.get(deviceId) ?? "ok";
    // An offline device never sees the command; the others received it.
    if (behaviour === "offline") throw new ApiError("E_DEVICE_OFFLINE", "device is not connected");
    this.sent.push({ deviceId, command: structuredClone(command) });
    if (behaviour === "timeout") throw new ApiError("E_TIMEOUT", "device did not answer in time");
    if (behaviour !== "ok") throw new ApiError(behaviour.code, behaviour.message);
    // Like the agent: the body goes over the wire as JSON and is validated on receipt.
    const parsed = commandBodySchema.safeParse(JSON.parse(JSON.stringify(command)));
    if (!parsed.success) throw new ApiError("E_VALIDATION", "agent refused an invalid command");
    return {};
  }

  isOnline(deviceId: string): boolean {
    return this.behaviour.get(deviceId) !== "offline";
  }
}

/** A ViewerPush that records every call. */
export class RecordingPush implements ViewerPush {
  readonly events: { userIds: string[]; event: ViewerEvent }[] = [];
  readonly revocations: { userId: string; deviceId: string }[] = [];

  toUsers(userIds: readonly string[], event: ViewerEvent): void {
    this.events.push({ userIds: [...userIds], event });
  }

  revoked(userId: string, deviceId: string): void {
    this.revocations.push({ userId, deviceId });
  }
}

export interface DevicesApp extends FeatureApp {
  commander: FakeCommander;
  push: RecordingPush;
  /** `Bearer <device token>` signed at the app's current time. */
  deviceAuth(device: TestDevice): Promise<string>;
  /** A device row inserted directly (no key needed); returns its id. */
  insertDevice(opts?: { name?: string; status?: "online" | "offline" | "unknown" }): Promise<string>;
  /** A grant row inserted directly. */
  grant(deviceId: string, userId: string, role: "owner" | "viewer", grantedBy?: string): Promise<void>;
  /** A camera row inserted directly; returns its cloud id. */
  insertCamera(deviceId: string, localId: string, opts?: { name?: string; status?: string }): Promise<string>;
}

/** The devices app on `database`; `now` is the app's clock (ms). */
export async function startDevicesApp(database: TestDatabase, now: () => number): Promise<DevicesApp> {
  const commander = new FakeCommander();
  const push = new RecordingPush();
  const app = await startFeatureApp(database, {
    now,
    modules: (ctx) => [cameraRoutes({ ctx, commander, push }), deviceRoutes({ ctx, commander, push })],
  });
  const db = app.db.db;
  return Object.assign(app, {
    commander,
    push,
    async deviceAuth(device: TestDevice) {
      return `Bearer ${await device.token({ now: Math.floor(now() / 1000) })}`;
    },
    async insertDevice(opts: { name?: string; status?: "online" | "offline" | "unknown" } = {}) {
      const id = randomBytes(32).toString("base64url").slice(0, 43);
      await db
        .insertInto("devices")
        .values({
          id,
          public_jwk: JSON.stringify({ crv: "Ed25519", kty: "OKP", x: id }),
          name: opts.name ?? `device ${id.slice(0, 6)}`,
          created_at: now(),
          last_seen_at: null,
          revoked_at: null,
          status: opts.status ?? "unknown",
          status_at: null,
          agent_version: null,
          telemetry_json: null,
          telemetry_at: null,
        })
        .execute();
      return id;
    },
    async grant(deviceId: string, userId: string, role: "owner" | "viewer", grantedBy?: string) {
      await db
        .insertInto("device_grants")
        .values({
          device_id: deviceId,
          user_id: userId,
          role,
          granted_by: grantedBy ?? null,
          created_at: now(),
        })
        .execute();
    },
    async insertCamera(deviceId: string, localId: string, opts: { name?: string; status?: string } = {}) {
      const id = randomBytes(16).toString("base64url");
      await db
        .insertInto("cameras")
        .values({
          id,
          device_id: deviceId,
          local_id: localId,
          name: opts.name ?? localId,
          location: null,
          source_kind: "test",
          status: opts.status ?? "unknown",
          status_reason: null,
          created_at: now(),
          updated_at: now(),
          removed_at: null,
        })
        .execute();
      return id;
    },
  });
}
