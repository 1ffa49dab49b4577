import { slugIdSchema } from "@homecam/shared";
import { z } from "zod";

// Flag validation for the `homecam` commands. Commander parses the command line into strings;
// each command checks them with a zod schema built from these pieces, so a bad flag is reported
// as `--flag: what is wrong` and exits with status 2, before anything is opened or connected.

/** A command line the program cannot act on (bad flag value, flags that exclude each other). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "HC_ERR_CLI_USAGE";
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(?:\d+[smhdw])+$/;
const DURATION_PART = /(\d+)([smhdw])/g;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** `90s`, `30m`, `2h`, `7d`, `1w`, or a sum such as `1h30m`, in milliseconds; undefined if not one. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!DURATION.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(DURATION_PART))
    ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * `--since`: a duration back from `now` (`2h`, `7d`, `1h30m`) or an ISO 8601 date. A date alone
 * (`2025-06-01`) means local midnight, and a date-time without an offset is local time too, since
 * that is what an operator at the host means; `Z` or `+02:00` make it exact. Returns epoch ms, or
 * undefined when the text is neither.
 */
export function parseSince(text: string, now: number): number | undefined {
  const t = text.trim();
  const duration = parseDurationMs(t);
  if (duration !== undefined) return now - duration;
  let iso: string;
  if (DATE_ONLY.test(t)) iso = `${t}T00:00:00`;
  else if (DATE_TIME.test(t)) iso = t.replace(" ", "T");
  else return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2025-02-30 over to March; a date that does not exist is a typo.
  const [y, mo, d] = t.slice(0, 10).split("-").map(Number);
  const check = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0));
  if (check.getUTCMonth() !== (mo ?? 1) - 1 || check.getUTCDate() !== d) return undefined;
  return ms;
}

/** A whole number within bounds, given as text on the command line. */
export function intFlag(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    );
}

/** `--since`, turned into epoch ms at parse time. */
export const sinceFlag = z.string().transform((text, ctx) => {
  const ms = parseSince(text, Date.now());
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `'${text}' is neither a duration (30m, 2h, 7d, 1w, 1h30m) nor an ISO date (2025-06-01, 2025-06-01T08:00, 2025-06-01T08:00:00Z)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A camera id as the configuration spells it. */
export const cameraFlag = slugIdSchema;
/** `--config <file>`. */
export const configFlag = z.string().min(1, "must name a file").optional();
/** `--json`. */
export const jsonFlag = z.boolean().default(false);

/**
 * Check commander's parsed options (and positional arguments merged in) against `schema`. Throws a
 * {@link UsageError} listing every problem as `--flag: message`; `labels` renames keys that are not
 * flags (`{ camera: "<camera>" }`).
 */
export function parseFlags<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  labels: Record<string, string> = {},
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const label = labels[key] ?? (key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : "");
    if (issue.code === "unrecognized_keys") return `unknown option ${issue.keys.join(", ")}`;
    if (issue.code === "invalid_type" && issue.input === undefined) return `${label}: required`;
    return label ? `${label}: ${issue.message}` : issue.message;
  });
  throw new UsageError(lines.join("\n"));
}
