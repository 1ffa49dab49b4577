import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigSchema } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/db/open-database.js";
import { type RunningCloud, startCloud } from "../../../src/main.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import {
  authOf,
  type DeviceFixture,
  deviceFixture,
  type MatrixUsers,
  PRINCIPALS,
  type PrincipalName,
  registerUser,
} from "./route-fixture.js";

// The REST half of the authorization matrix: every route of the running cloud (read from its own
// OpenAPI document, so a new route without a row here fails) × every principal. Rows name a
// policy; the expected answer of each principal under each policy is written out below by hand.
//
// "in"  = the gate let the caller through: anything but 401, 403 and 404 (a 400 for the matrix's
//         deliberately invalid body, a 503 for the offline device… are all "in");
// "in*" = through the gate, where 404 is a legitimate answer too (a made-up ticket or key id).

type Outcome = "in" | "in*" | 401 | 403 | 404;
type Policy =
  | "public"
  | "user"
  | "admin"
  | "device"
  | "heartbeat"
  | "qr-info"
  | "camera-post"
  | "grant"
  | "grant-session"
  | "owner";

const USERS_IN: Record<PrincipalName, Outcome> = {
  anonymous: 401,
  device: 401,
  otherDevice: 401,
  stranger: "in*",
  revoked: "in*",
  admin: "in*",
  viewer: "in*",
  owner: "in*",
};

const EXPECTED: Record<Policy, Record<PrincipalName, Outcome>> = {
  public: {
    anonymous: "in*",
    device: "in*",
    otherDevice: "in*",
    stranger: "in*",
    revoked: "in*",
    admin: "in*",
    viewer: "in*",
    owner: "in*",
  },
  user: USERS_IN,
  admin: { ...USERS_IN, stranger: 403, revoked: 403, viewer: 403, owner: 403, admin: "in*" },
  // Devices only (a device acts for itself: any device may open a pairing session of its own).
  device: {
    ...USERS_IN,
    device: "in",
    otherDevice: "in",
    stranger: 403,
    revoked: 403,
    admin: 403,
    viewer: 403,
    owner: 403,
  },
  // A device, for a camera of its own.
  heartbeat: {
    ...USERS_IN,
    device: "in",
    otherDevice: 404,
    stranger: 403,
    revoked: 403,
    admin: 403,
    viewer: 403,
    owner: 403,
  },
  // The pairing id is the secret: any signed-in user holding it sees what would be paired, and
  // the issuing device its state; another device nothing.
  "qr-info": { ...USERS_IN, device: "in", otherDevice: 404 },
  // Devices register their own cameras; users add one to a device they own.
  "camera-post": {
    ...USERS_IN,
    device: "in",
    otherDevice: "in",
    stranger: 404,
    revoked: 404,
    admin: 404,
    viewer: 403,
    owner: "in",
  },
  // Any grant holder; strangers (a revoked viewer is one, so is an admin) learn nothing: 404.
  grant: { ...USERS_IN, stranger: 404, revoked: 404, admin: 404, viewer: "in", owner: "in" },
  // A grant holder's own sub-resource (a WHEP session): 404 is their answer for a made-up id too.
  "grant-session": { ...USERS_IN, stranger: 404, revoked: 404, admin: 404, viewer: "in*", owner: "in*" },
  owner: { ...USERS_IN, stranger: 404, revoked: 404, admin: 404, viewer: 403, owner: "in" },
};

interface Row {
  policy: Policy;
  /** Body for this route (default: an invalid one, so nothing changes when the gate opens). */
  body?: (fx: DeviceFixture) => unknown;
}

const ROUTES: Record<string, Row> = {
  "POST /api/auth/register": { policy: "public" },
  "POST /api/auth/login": { policy: "public" },
  "POST /api/auth/google": { policy: "public" },
  "POST /api/auth/refresh": { policy: "public" },
  "POST /api/auth/logout": { policy: "public" },
  "POST /api/auth/password/forgot": { policy: "public" },
  "POST /api/auth/password/reset": { policy: "public" },
  "GET /api/profile": { policy: "user" },
  "PUT /api/profile": { policy: "user" },
  "PUT /api/profile/password": { policy: "user" },
  "GET /api/profile/terms": { policy: "user" },
  "POST /api/profile/email-verification": { policy: "user" },
  "POST /api/profile/verify-email": { policy: "user" },
  "GET /api/profile/email-verification-status": { policy: "user" },
  "GET /api/admin/users": { policy: "admin" },
  "PATCH /api/admin/users/{id}": { policy: "admin" },
  "GET /api/settings": { policy: "user" },
  "PUT /api/settings": { policy: "user" },
  "GET /api/settings/{key}": { policy: "user" },
  "PUT /api/settings/{key}": { policy: "user" },
  "POST /api/settings/reset": { policy: "user" },
  "POST /api/settings/export": { policy: "user" },
  "POST /api/settings/import": { policy: "user" },
  "GET /api/api-keys": { policy: "user" },
  "POST /api/api-keys": { policy: "user" },
  "DELETE /api/api-keys": { policy: "user" },
  "DELETE /api/api-keys/{id}": { policy: "user" },
  "POST /api/tickets": { policy: "user" },
  "GET /api/tickets": { policy: "user" },
  "GET /api/tickets/{id}": { policy: "user" },
  "GET /api/admin/tickets": { policy: "admin" },
  "PATCH /api/admin/tickets/{id}": { policy: "admin" },
  "GET /api/admin/logs": { policy: "admin" },
  "POST /api/qr/generate": { policy: "device" },
  "POST /api/qr/validate": { policy: "user" },
  "GET /api/qr/{code}/info": { policy: "qr-info" },
  "POST /api/connection/establish": { policy: "user" },
  "GET /api/connection/active": { policy: "user" },
  "POST /api/devices/{id}/invites": { policy: "owner", body: () => ({}) },
  "GET /api/cameras": { policy: "user" },
  "POST /api/cameras": {
    policy: "camera-post",
    body: (fx) => ({
      deviceId: fx.device.id,
      camera: { id: "matrix-cam", name: "Matrix", source: { type: "test" } },
    }),
  },
  "GET /api/cameras/{id}": { policy: "grant" },
  "PUT /api/cameras/{id}": { policy: "owner" },
  "DELETE /api/cameras/{id}": { policy: "owner" },
  "GET /api/cameras/{id}/stats": { policy: "grant" },
  "GET /api/devices": { policy: "user" },
  "GET /api/devices/{id}": { policy: "grant" },
  "PATCH /api/devices/{id}": { policy: "owner" },
  "DELETE /api/devices/{id}": { policy: "owner" },
  "GET /api/devices/{id}/grants": { policy: "owner" },
  // The owner revokes the viewer; the viewer may remove their own grant (leave).
  "DELETE /api/devices/{id}/grants/{userId}": { policy: "grant" },
  // Any grant holder gets a LAN token for the device (owner and viewer alike).
  "POST /api/devices/{id}/lan-token": { policy: "grant" },
  "GET /api/devices/{id}/access-log": { policy: "owner" },
  // A command viewers may send; which commands are owner-only is command-routes.test.ts' matter.
  "POST /api/cameras/{id}/commands": { policy: "grant", body: () => ({ type: "snapshot" }) },
  "GET /api/cameras/{id}/snapshot": { policy: "grant" },
  "GET /api/cameras/{id}/settings": { policy: "grant" },
  "PUT /api/cameras/{id}/settings": { policy: "owner" },
  "POST /api/cameras/{id}/heartbeat": { policy: "heartbeat" },
  // WHEP relayed to the device: grant holders reach the body check (415 for the matrix's JSON).
  "POST /api/cameras/{id}/whep": { policy: "grant" },
  "DELETE /api/cameras/{id}/whep/{session}": { policy: "grant-session" },
  "GET /api/rtc/ice-servers": { policy: "user" },
  "GET /api/notifications": { policy: "user" },
  "POST /api/notifications": { policy: "user" },
  "PUT /api/notifications/read-all": { policy: "user" },
  "GET /api/notifications/unread-count": { policy: "user" },
  "GET /api/notifications/stats": { policy: "user" },
  "GET /api/notifications/{id}": { policy: "user" },
  "DELETE /api/notifications/{id}": { policy: "user" },
  "PUT /api/notifications/{id}/read": { policy: "user" },
  "GET /api/notifications/push/public-key": { policy: "user" },
  "POST /api/notifications/push/subscriptions": { policy: "user" },
  "DELETE /api/notifications/push/subscriptions": { policy: "user" },
  "GET /api/admin/providers": { policy: "admin" },
  "POST /api/admin/providers": { policy: "admin" },
  "PATCH /api/admin/providers/{id}": { policy: "admin" },
  "DELETE /api/admin/providers/{id}": { policy: "admin" },
  "GET /api/storage/provider": { policy: "user" },
  "PUT /api/storage/provider": { policy: "user" },
  "DELETE /api/storage/provider": { policy: "user" },
  "POST /api/events": { policy: "device" },
  "GET /api/events": { policy: "user" },
  "GET /api/events/stats": { policy: "user" },
  "GET /api/events/{id}": { policy: "grant" },
  "PUT /api/events/{id}": { policy: "grant" },
  "DELETE /api/events/{id}": { policy: "owner" },
  "POST /api/events/{id}/pin": { policy: "owner" },
  "GET /api/events/{id}/recordings": { policy: "grant" },
  "GET /api/events/{id}/thumbnail": { policy: "grant" },
  "GET /api/recordings": { policy: "user" },
  "POST /api/recordings": { policy: "device" },
  "GET /api/recordings/stats": { policy: "user" },
  "GET /api/recordings/{id}": { policy: "grant" },
  "PUT /api/recordings/{id}": { policy: "owner" },
  "DELETE /api/recordings/{id}": { policy: "owner" },
  "POST /api/media/presign": { policy: "device" },
  "POST /api/media/complete": { policy: "device" },
  // Owner and viewer get 409 here (the fixture's clip was never uploaded): through the gate.
  "GET /api/clips/{id}/presign-get": { policy: "grant" },
};

/** Policies that touch a device or camera: each principal gets a fresh fixture (some routes change it). */
const DEVICE_SCOPED = new Set<Policy>([
  "device",
  "heartbeat",
  "qr-info",
  "camera-post",
  "grant",
  "grant-session",
  "owner",
]);

function fillPath(path: string, fx: DeviceFixture | null, users: MatrixUsers): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === "userId") return users.viewer.id;
    if (name === "code") return fx?.openPairingId ?? "x";
    if (name === "key") return "notificationsEnabled";
    if (name === "id" && fx) {
      if (path.startsWith("/api/devices")) return fx.device.id;
      if (path.startsWith("/api/events")) return fx.eventId;
      if (path.startsWith("/api/recordings") || path.startsWith("/api/clips")) return fx.recordingId;
      return fx.cameraId;
    }
    // Routes about users, tickets and keys: an id that exists (a user) or a made-up one.
    return path.startsWith("/api/admin/users") ? users.stranger.id : "matrixNoSuchId";
  });
}

function classify(status: number): Outcome {
  if (status === 401 || status === 403 || status === 404) return status;
  return "in";
}

function satisfies(expected: Outcome, status: number): boolean {
  if (expected === "in*") return status !== 401 && status !== 403;
  return classify(status) === expected;
}

describe("authorization matrix: REST routes", () => {
  let dir: string;
  let cloud: RunningCloud;
  let users: MatrixUsers;
  let spare: { device: TestDevice; other: TestDevice };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "homecam-matrix-"));
    const config = cloudConfigSchema.parse({
      stateDir: dir,
      http: { port: 0 },
      mqtt: { port: 0 },
      // An offline device answers at once; no command waits in this test.
      relay: { commandTimeoutMs: 1000 },
    });
    cloud = await startCloud({ config, log: silentLogger() });
    const [owner, viewer, revoked, stranger, admin] = await Promise.all(
      ["owner", "viewer", "revoked", "stranger", "admin"].map((l) => registerUser(cloud.url, l)),
    );
    users = { owner, viewer, revoked, stranger, admin } as MatrixUsers;
    // Promote the admin in the database, as `homecam-cloud admin create` would.
    const db = openDatabase(config.database.url, { stateDir: dir, poolSize: 1, log: silentLogger() });
    await db.db.updateTable("users").set({ role: "admin" }).where("id", "=", users.admin.id).execute();
    await db.close();
    spare = { device: await createTestDevice(), other: await createTestDevice() };
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("has a row for every route the cloud serves, and no row for a route it does not", async () => {
    const doc = (await (await fetch(`${cloud.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(served.filter((r) => !(r in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !served.includes(r))).toEqual([]);
  });

  for (const [route, row] of Object.entries(ROUTES)) {
    it(`${route} (${row.policy})`, async () => {
      const [method, path] = route.split(" ") as [string, string];
      const got: Record<string, number> = {};
      const wrong: string[] = [];
      for (const who of PRINCIPALS) {
        const fx = DEVICE_SCOPED.has(row.policy) ? await deviceFixture(cloud.url, users) : null;
        const body = method === "GET" ? undefined : fx && row.body ? row.body(fx) : { __matrix: true };
        const r = await call(cloud.url, method, fillPath(path, fx, users), {
          auth: await authOf(who, users, fx, spare),
          body,
        });
        got[who] = r.status;
        const expected = EXPECTED[row.policy][who];
        if (!satisfies(expected, r.status)) {
          wrong.push(`${who}: expected ${expected}, got ${r.status} ${r.body.error?.code ?? ""}`);
        }
      }
      expect(wrong, JSON.stringify(got)).toEqual([]);
    }, 60_000);
  }
});
