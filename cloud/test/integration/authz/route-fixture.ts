import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { call, type TestResponse } from "../../helpers/feature-app.js";

// What the route matrix calls with: a paired device with one camera, its owner and viewer, a
// viewer whose grant was revoked, and an open pairing session — all made through the API, the way
// a household gets there.

/** The principals of the matrix. */
export const PRINCIPALS = [
  "anonymous",
  "device",
  "otherDevice",
  "stranger",
  "revoked",
  "admin",
  "viewer",
  "owner",
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** Users of the matrix, signed in once. */
export interface MatrixUsers {
  owner: UserSession;
  viewer: UserSession;
  revoked: UserSession;
  stranger: UserSession;
  admin: UserSession;
}

export interface UserSession {
  id: string;
  token: string;
}

export interface DeviceFixture {
  device: TestDevice;
  other: TestDevice;
  cameraId: string;
  /** An open pairing session of the device (for `GET /api/qr/:code/info`). */
  openPairingId: string;
  /** A motion event of the camera and its recording, as the cloud indexed them. */
  eventId: string;
  recordingId: string;
}

let seq = 0;

/** Register a user (real password hashing) and return its id and access token. */
export async function registerUser(url: string, label: string): Promise<UserSession> {
  const r = await call(url, "POST", "/api/auth/register", {
    body: {
      email: `${label}-${Date.now()}-${seq++}@matrix.test`,
      password: "correct horse battery staple",
      name: label,
      agreeTerms: true,
      agreePrivacy: true,
    },
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`register ${label}: ${JSON.stringify(r.body)}`);
  return { id: r.body.data.user.id, token: r.body.data.accessToken };
}

async function ok(r: Promise<TestResponse>, what: string): Promise<TestResponse> {
  const res = await r;
  if (!res.body.ok) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function claim(url: string, device: TestDevice, user: UserSession): Promise<void> {
  const session = await ok(
    call(url, "POST", "/api/qr/generate", { auth: `Bearer ${await device.token()}`, body: {} }),
    "generate",
  );
  const { pairingId, pin } = session.body.data;
  await ok(
    call(url, "POST", "/api/connection/establish", {
      auth: `Bearer ${user.token}`,
      body: { pairingId, pin },
    }),
    "establish",
  );
}

/** A fresh device paired to owner and viewer; `revoked` was a viewer and lost the grant. */
export async function deviceFixture(url: string, users: MatrixUsers): Promise<DeviceFixture> {
  const device = await createTestDevice();
  const other = await createTestDevice();
  const registered = await ok(
    call(url, "POST", "/api/cameras", {
      auth: `Bearer ${await device.token()}`,
      body: { cameras: [{ localId: "cam", name: "Matrix camera" }] },
    }),
    "register cameras",
  );
  // The other device exists too (first contact pins it), with a camera of its own.
  await ok(
    call(url, "POST", "/api/cameras", {
      auth: `Bearer ${await other.token()}`,
      body: { cameras: [{ localId: "cam", name: "Other camera" }] },
    }),
    "register other cameras",
  );
  await claim(url, device, users.owner);
  await claim(url, device, users.viewer);
  await claim(url, device, users.revoked);
  await ok(
    call(url, "DELETE", `/api/devices/${device.id}/grants/${users.revoked.id}`, {
      auth: `Bearer ${users.owner.token}`,
    }),
    "revoke",
  );
  const open = await ok(
    call(url, "POST", "/api/qr/generate", { auth: `Bearer ${await device.token()}`, body: {} }),
    "generate open session",
  );
  const { eventId, recordingId } = await indexEvent(url, device, users.owner);
  return {
    device,
    other,
    cameraId: registered.body.data[0].id,
    openPairingId: open.body.data.pairingId,
    eventId,
    recordingId,
  };
}

/** The device reports an ended event and its clip (the HTTP twin of its MQTT outbox). */
async function indexEvent(
  url: string,
  device: TestDevice,
  owner: UserSession,
): Promise<{ eventId: string; recordingId: string }> {
  const startedAt = Date.now() - 20_000;
  const endedAt = startedAt + 10_000;
  const facts = [
    {
      type: "event.ended",
      body: {
        eventId: "ev1",
        cameraId: "cam",
        type: "motion",
        startedAt,
        endedAt,
        durationMs: 10_000,
        score: 0.8,
      },
    },
    {
      type: "recording.ready",
      body: {
        recordingId: "rec1",
        eventId: "ev1",
        cameraId: "cam",
        index: 0,
        startedAt,
        endedAt,
        durationMs: 10_000,
        sizeBytes: 1000,
        format: "mp4",
      },
    },
  ];
  for (const fact of facts) {
    await ok(
      call(url, "POST", "/api/events", {
        auth: `Bearer ${await device.token()}`,
        body: { id: `${fact.type.replace(".", "-")}-${device.id.slice(0, 8)}`, ...fact },
      }),
      `index ${fact.type}`,
    );
  }
  const auth = `Bearer ${owner.token}`;
  const events = await ok(call(url, "GET", `/api/events?limit=100`, { auth }), "list events");
  const recordings = await ok(call(url, "GET", `/api/recordings?limit=100`, { auth }), "list recordings");
  const cameraOf = (e: { deviceId?: string }) => e.deviceId === device.id;
  const event = (events.body.data.events as { id: string; deviceId?: string }[]).find(cameraOf);
  const recording = (recordings.body.data.recordings as { id: string; deviceId?: string }[]).find(cameraOf);
  if (!event || !recording) throw new Error("the indexed event or recording is not listed");
  return { eventId: event.id, recordingId: recording.id };
}

/** The Authorization header of a principal (undefined = anonymous). */
export async function authOf(
  who: PrincipalName,
  users: MatrixUsers,
  fx: DeviceFixture | null,
  spare: { device: TestDevice; other: TestDevice },
): Promise<string | undefined> {
  switch (who) {
    case "anonymous":
      return undefined;
    case "device":
      return `Bearer ${await (fx?.device ?? spare.device).token()}`;
    case "otherDevice":
      return `Bearer ${await (fx?.other ?? spare.other).token()}`;
    default:
      return `Bearer ${users[who].token}`;
  }
}
