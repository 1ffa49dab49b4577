import { join } from "node:path";
import {
  deviceRoleSchema,
  type PairingSession,
  pairingIdSchema,
  pairingSessionSchema,
  pairingStateSchema,
} from "@homecam/shared";
import { z } from "zod";
import type { CameraState, HostState, ManualRecordingResult } from "../camera/control.js";
import type { PairingStatus } from "../cloud/pairing-manager.js";
import type { LocalPairingSession } from "../lan-pairing/local-pairing.js";
import type { LocalViewer } from "../lan-pairing/local-viewers.js";

// The local control protocol spoken over `<stateDir>/control.sock` between the running agent and
// the `homecam` CLI on the same host.
//
// Framing: newline-delimited JSON (one UTF-8 JSON document per line, `\n`-terminated; a trailing
// `\r` is tolerated). A client may send several requests on one connection without waiting;
// answers carry the request's `id` and may arrive in any order. A client keeps its side of the
// connection open until its answers arrive: closing it (even half-closing) cancels what it asked
// for, so interrupting `homecam record` stops the recording.
//
//   request   {"id": 1, "method": "snapshot", "params": {"cameraId": "front-door"}}
//   success   {"id": 1, "ok": true, "result": {...}}
//   failure   {"id": 1, "ok": false, "error": {"code": "E_VALIDATION", "message": "..."}}
//
// A line that is not a request gets a failure with `"id": null` and the connection stays usable;
// a line longer than {@link MAX_REQUEST_LINE_BYTES} gets E_PAYLOAD_TOO_LARGE and the connection is
// closed (the rest of that line cannot be told apart from the next request). Error codes are the
// REST catalogue's `E_*` codes for protocol problems, or the `HC_ERR_*` code the camera pipeline
// threw (unknown camera, camera offline…); `pair.*` pass on the cloud's `E_*` code or a pairing
// `HC_ERR_*` one (cloud disabled, unreachable). Binary results (the snapshot JPEG) are base64
// strings. `pair.start` and `pair.local` answer the session's PIN: the socket's file permissions protect it.

/** The socket's file name inside the state directory. */
export const CONTROL_SOCKET_NAME = "control.sock";

/** Where the agent listens for its local CLI. */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, CONTROL_SOCKET_NAME);
}

/** Longest request line the agent reads; requests are tiny, so anything longer is an error or abuse. */
export const MAX_REQUEST_LINE_BYTES = 64 * 1024;
/** Longest answer line the client reads: a full-resolution JPEG, base64-encoded, fits comfortably. */
export const MAX_RESPONSE_LINE_BYTES = 64 * 1024 * 1024;
/** Requests one connection may have in progress at once; more are refused with E_RATE_LIMITED. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 8;

/** Bounds of `record` (seconds). */
export const RECORD_MIN_SECONDS = 1;
export const RECORD_MAX_SECONDS = 600;
/** How long the client waits for `record` beyond the clip's own length (pre-roll, muxing, probing). */
export const RECORD_TIMEOUT_MARGIN_MS = 60_000;

const requestIdSchema = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]);
export type RequestId = z.infer<typeof requestIdSchema>;

/** The envelope every request line must match; `params` is checked per method afterwards. */
export const requestSchema = z.strictObject({
  id: requestIdSchema,
  method: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type ControlRequest = z.infer<typeof requestSchema>;

const cameraIdSchema = z.string().min(1).max(64);

/** Parameters of each method. */
export const methodParamsSchemas = {
  status: z.strictObject({}),
  snapshot: z.strictObject({ cameraId: cameraIdSchema }),
  record: z.strictObject({
    cameraId: cameraIdSchema,
    seconds: z.number().int().min(RECORD_MIN_SECONDS).max(RECORD_MAX_SECONDS),
  }),
  "pair.start": z.strictObject({}),
  "pair.status": z.strictObject({ pairingId: pairingIdSchema }),
  "pair.local": z.strictObject({
    /** The viewer who claims this PIN becomes an owner (may publish a browser camera). */
    owner: z.boolean().optional(),
    /** Print the link of this browser camera's /capture page instead of the pair page. */
    camera: cameraIdSchema.optional(),
  }),
  "viewers.list": z.strictObject({}),
  "viewers.revoke": z.strictObject({ viewerId: z.string().min(1).max(64) }),
} as const;

export type ControlMethod = keyof typeof methodParamsSchemas;
export type MethodParams<M extends ControlMethod> = z.input<(typeof methodParamsSchemas)[M]>;

export function isControlMethod(name: string): name is ControlMethod {
  return Object.hasOwn(methodParamsSchemas, name);
}

// Results are checked by the client with loose objects: a newer agent may add fields, and they
// pass through to `--json` output instead of being dropped.
const cameraStateSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  status: z.string(),
  reason: z.string().optional(),
  analysisFps: z.number(),
  eventActive: z.boolean(),
  lastEventAt: z.number().nullable(),
});

const hostStateSchema = z.looseObject({
  cpuPercent: z.number().nullable(),
  temperatureC: z.number().nullable(),
  diskFreeMB: z.number(),
  diskTotalMB: z.number(),
  storage: z.looseObject({ state: z.string(), detail: z.string().optional() }),
  uptimeS: z.number(),
});

const localViewerSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  role: deviceRoleSchema,
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
});

/** Results of each method, as the client validates them. */
export const methodResultSchemas = {
  status: z.looseObject({ cameras: z.array(cameraStateSchema), host: hostStateSchema }),
  snapshot: z.strictObject({
    contentType: z.literal("image/jpeg"),
    bytes: z.number().int().nonnegative(),
    dataBase64: z.string(),
  }),
  record: z.looseObject({
    eventId: z.string(),
    recordings: z.array(
      z.looseObject({ id: z.string(), path: z.string(), durationMs: z.number(), sizeBytes: z.number() }),
    ),
  }),
  "pair.start": pairingSessionSchema.loose(),
  "pair.status": z.looseObject({
    state: pairingStateSchema,
    claimedRole: deviceRoleSchema.nullable(),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  "pair.local": z.looseObject({
    sessionId: z.string(),
    pin: z.string().regex(/^\d{6}$/),
    url: z.string(),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  "viewers.list": z.looseObject({ viewers: z.array(localViewerSchema) }),
  "viewers.revoke": z.looseObject({ revoked: z.boolean() }),
} as const;

/** What each method answers (the client checks the shape with {@link methodResultSchemas}). */
export interface MethodResults {
  status: StatusResult;
  snapshot: SnapshotResult;
  record: ManualRecordingResult;
  "pair.start": PairingSession;
  "pair.status": PairingStatus;
  "pair.local": LocalPairingSession;
  "viewers.list": { viewers: LocalViewer[] };
  "viewers.revoke": { revoked: boolean };
}
export interface StatusResult {
  cameras: CameraState[];
  host: HostState;
}
export interface SnapshotResult {
  contentType: "image/jpeg";
  bytes: number;
  /** The JPEG, base64-encoded. */
  dataBase64: string;
}
export type MethodResult<M extends ControlMethod> = MethodResults[M];

/** The error half of a failed answer. */
export interface ControlErrorBody {
  /** An `E_*` catalogue code or an `HC_ERR_*` code from the agent. */
  code: string;
  message: string;
}

/** One answer line, as the agent writes it. */
export type ControlResponse =
  | { id: RequestId | null; ok: true; result: unknown }
  | { id: RequestId | null; ok: false; error: ControlErrorBody };

/** One answer line, as the client checks it. */
export const responseSchema = z.discriminatedUnion("ok", [
  z.strictObject({ id: requestIdSchema.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    id: requestIdSchema.nullable(),
    ok: z.literal(false),
    error: z.strictObject({ code: z.string(), message: z.string() }),
  }),
]);

/** `path: message; path: message` for a failed parse, naming the offending fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.map(String).join(".");
      if (i.code === "unrecognized_keys") return `unknown field ${i.keys.map((k) => `'${k}'`).join(", ")}`;
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}
