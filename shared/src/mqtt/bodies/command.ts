import { z } from "zod";
import { cameraConfigSchema } from "../../config/agent.js";
import { errorCodeSchema } from "../../errors.js";
import { cameraIdSchema, entityIdSchema } from "./common.js";

// `command` travels down on `…/req/{requestId}`; the device answers `command.result` on
// `…/res/{requestId}` with the same request id. Requests are at-least-once: the agent dedupes on
// the frame `id`, and handlers for non-idempotent commands (record.now) must tolerate a replay.

const axis = z.number().min(-1).max(1);
const cameraOnly = z.object({ cameraId: cameraIdSchema });
const optionalCamera = z.object({
  cameraId: cameraIdSchema.optional().describe("Omit for the whole device."),
});

/** One member per command name: `{ name, args }`. */
export const commandBodySchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("snapshot"), args: cameraOnly }),
  z.object({ name: z.literal("settings.get"), args: optionalCamera }),
  z.object({
    name: z.literal("settings.set"),
    args: z.object({
      cameraId: cameraIdSchema.optional().describe("Omit for device-wide settings."),
      // Only shaped here; the agent validates the patch against its settings schema.
      patch: z.record(z.string().max(128), z.unknown()),
    }),
  }),
  z.object({
    name: z.literal("ptz.move"),
    args: z.object({
      cameraId: cameraIdSchema,
      pan: axis.describe("Continuous pan velocity, -1 (left) to 1 (right)."),
      tilt: axis.describe("Continuous tilt velocity, -1 (down) to 1 (up)."),
      zoom: axis.describe("Continuous zoom velocity, -1 (out) to 1 (in)."),
      timeoutMs: z.int().min(1).max(60_000).optional().describe("Stop on its own after this long."),
    }),
  }),
  z.object({ name: z.literal("ptz.stop"), args: cameraOnly }),
  z.object({
    name: z.literal("ptz.preset"),
    args: z.object({ cameraId: cameraIdSchema, preset: z.string().min(1).max(64).describe("Preset token.") }),
  }),
  z.object({
    name: z.literal("record.now"),
    args: z.object({ cameraId: cameraIdSchema, seconds: z.int().min(1).max(300) }),
  }),
  z.object({ name: z.literal("arm"), args: optionalCamera }),
  z.object({ name: z.literal("disarm"), args: optionalCamera }),
  z.object({ name: z.literal("camera.restart"), args: cameraOnly }),
  z.object({
    name: z.literal("camera.add"),
    // The owner adds a source from the viewer; the agent validates it again and persists it.
    args: z.object({ camera: cameraConfigSchema }),
  }),
  z.object({
    name: z.literal("event.delete"),
    // An owner deleted the event in the cloud: the agent removes its local clips and thumbnail
    // (as `clip.deleted` facts with reason `owner`) and forgets the event.
    args: z.object({ eventId: entityIdSchema.describe("The agent's event id.") }),
  }),
  z.object({
    name: z.literal("recording.delete"),
    // An owner deleted one clip in the cloud: the agent removes its local file (a `clip.deleted`
    // fact with reason `owner`), leaving the rest of its event alone.
    args: z.object({ recordingId: entityIdSchema.describe("The agent's recording id.") }),
  }),
  z.object({
    name: z.literal("grants.revoked"),
    // The agent drops live sessions and LAN tokens of this user.
    args: z.object({ userId: entityIdSchema }),
  }),
]);

/** Every command name. */
export const COMMAND_NAMES = commandBodySchema.options.map((o) => o.shape.name.value);

/** A command name. */
export type CommandName = z.output<typeof commandBodySchema>["name"];

/** The args of command `N`. */
export type CommandArgs<N extends CommandName> = Extract<
  z.output<typeof commandBodySchema>,
  { name: N }
>["args"];

/** `command.result`: success with optional data, or a catalogue error. */
export const commandResultBodySchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), data: z.unknown().optional() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: errorCodeSchema, message: z.string().max(1024) }),
  }),
]);
