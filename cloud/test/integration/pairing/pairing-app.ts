import { randomBytes } from "node:crypto";
import type { PairingSession, ViewerEvent } from "@homecam/shared";
import type { Watcher } from "../../../src/pairing/active-connections.js";
import type { PairingLimitRules } from "../../../src/pairing/pairing-limits.js";
import { pairingRoutes } from "../../../src/pairing/pairing-routes.js";
import type { ViewerPush } from "../../../src/rendezvous/context.js";
import { MemoryRateLimiter } from "../../../src/security/rate-limit.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import {
  call,
  type FeatureApp,
  type FeatureAppOptions,
  startFeatureApp,
  type TestResponse,
} from "../../helpers/feature-app.js";

// The feature app with the pairing module mounted, an injected clock, a recording ViewerPush and
// a real in-memory rate limiter the tests can reach (to fill a deployment-wide budget).

export const T0 = 1_800_000_000_000;
export const MIN = 60_000;

export interface PushRecord {
  userIds: string[];
  event: ViewerEvent;
}

export interface PairingApp {
  app: FeatureApp;
  clock: { now: number };
  limiter: MemoryRateLimiter;
  pushed: PushRecord[];
  /** Watchers per device id, read by `GET /api/connection/active`. */
  watchers: Map<string, Watcher[]>;
  /** `Bearer <device token>` signed at the injected time. */
  deviceAuth(device: TestDevice): Promise<string>;
  /** A new device (key pair); it is pinned in `devices` by its first request. */
  newDevice(): Promise<TestDevice>;
  /** `POST /api/qr/generate` as `device`; asserts 201. */
  generate(device: TestDevice): Promise<PairingSession>;
  establish(userId: string, body: unknown): Promise<TestResponse>;
  validate(userId: string, body: unknown): Promise<TestResponse>;
  addCamera(deviceId: string, name: string, opts?: { removed?: boolean; status?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface PairingAppOptions {
  config?: FeatureAppOptions["config"];
  limits?: Partial<PairingLimitRules>;
  generatePin?: () => string;
}

export async function startPairingApp(
  database: TestDatabase,
  opts: PairingAppOptions = {},
): Promise<PairingApp> {
  const clock = { now: T0 };
  const limiter = new MemoryRateLimiter({ now: () => clock.now });
  const pushed: PushRecord[] = [];
  const watchers = new Map<string, Watcher[]>();
  const push: ViewerPush = {
    toUsers: (userIds, event) => void pushed.push({ userIds: [...userIds], event }),
    revoked: () => {},
  };
  const app = await startFeatureApp(database, {
    now: () => clock.now,
    ...(opts.config ? { config: opts.config } : {}),
    modules: (ctx) => [
      pairingRoutes({
        ctx,
        push,
        limiter,
        watching: (deviceId) => watchers.get(deviceId) ?? [],
        ...(opts.limits ? { limits: opts.limits } : {}),
        ...(opts.generatePin ? { generatePin: opts.generatePin } : {}),
      }),
    ],
  });
  const deviceAuth = async (device: TestDevice) =>
    `Bearer ${await device.token({ now: Math.floor(clock.now / 1000) })}`;
  return {
    app,
    clock,
    limiter,
    pushed,
    watchers,
    deviceAuth,
    newDevice: () => createTestDevice(),
    async generate(device) {
      const r = await call(app.url, "POST", "/api/qr/generate", { auth: await deviceAuth(device), body: {} });
      if (r.status !== 201) throw new Error(`generate answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body.data as PairingSession;
    },
    establish: (userId, body) =>
      call(app.url, "POST", "/api/connection/establish", { auth: app.bearer(userId), body }),
    validate: (userId, body) => call(app.url, "POST", "/api/qr/validate", { auth: app.bearer(userId), body }),
    async addCamera(deviceId, name, o = {}) {
      const id = randomBytes(9).toString("base64url");
      await app.db.db
        .insertInto("cameras")
        .values({
          id,
          device_id: deviceId,
          local_id: `cam-${id}`,
          name,
          location: null,
          source_kind: null,
          status: o.status ?? "online",
          status_reason: null,
          created_at: clock.now,
          updated_at: clock.now,
          removed_at: o.removed ? clock.now : null,
        })
        .execute();
      clock.now += 1;
      return id;
    },
    close: () => app.close(),
  };
}

/** A six-digit PIN different from `pin`. */
export function otherPin(pin: string): string {
  return ((Number(pin) + 1) % 1_000_000).toString().padStart(6, "0");
}
