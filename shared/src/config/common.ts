import { z } from "zod";

/** Log levels accepted by every program's `log.level` setting (pino's names). */
export const logLevelSchema = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .describe("Minimum level written to the log.");

/** Logging section shared by the agent and the cloud. */
export const logSectionSchema = z
  .strictObject({
    level: logLevelSchema.default("info"),
    modules: z
      .record(z.string().regex(/^[a-z0-9-]+$/), logLevelSchema)
      .default({})
      .describe("Per-module level overrides, e.g. { capture: debug }."),
  })
  .describe("Logging.");

/** A TCP port; 0 asks the OS for a free one (tests). */
export const portSchema = z.number().int().min(0).max(65535);

/** Camera and device ids are stable, lower-case, URL- and topic-safe. */
export const slugIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, "lower-case letters, digits and '-', 1-64 characters");

/**
 * A patch schema for a settings section: every field optional and *without* its default.
 * zod's own `.partial()` keeps defaults, so a patch `{sensitivity: 10}` would silently reset
 * every other field of the section to its default.
 */
export function patchSchemaOf<S extends z.ZodRawShape>(section: z.ZodObject<S>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(section.shape)) {
    shape[key] = withoutDefault(field as z.ZodType).optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{
    [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>>;
  }>;
}

function withoutDefault(field: z.ZodType): z.ZodType {
  const def = field._zod.def as { type: string; innerType?: z.ZodType };
  if ((def.type === "default" || def.type === "prefault") && def.innerType) return def.innerType;
  return field;
}
