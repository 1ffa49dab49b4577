import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { maskSecretsInText, SECRET_KEYS } from "../redact.js";

export type { Logger } from "pino";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Program name written on every line (`agent`, `cloud`). */
  name: string;
  level?: string;
  /** Per-module level overrides applied by {@link moduleLogger}. */
  modules?: Readonly<Record<string, string>>;
  /** Where lines go; stdout by default (systemd's journal picks it up). */
  destination?: DestinationStream;
}

const moduleLevels = new WeakMap<Logger, Readonly<Record<string, string>>>();

/**
 * The root JSON logger of a program. Secrets are removed twice: by key (passwords, tokens, PINs…
 * at any of the first three nesting levels) and by pattern (credentials inside URLs in any string).
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const options: LoggerOptions = {
    name: opts.name,
    level: opts.level ?? "info",
    redact: { paths, censor: "[redacted]" },
    hooks: {
      // Credentials typed into a camera URL end up in messages and error texts; mask them all.
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === "string" ? maskSecretsInText(a) : a));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
    formatters: {
      log(object) {
        return maskStrings(object, 0) as Record<string, unknown>;
      },
    },
    serializers: { err: serializeError },
  };
  const log = opts.destination ? pino(options, opts.destination) : pino(options);
  moduleLevels.set(log, opts.modules ?? {});
  return log;
}

/** A child logger for one module (`{mod: "capture"}`), honouring the per-module level overrides. */
export function moduleLogger(root: Logger, mod: string, bindings: Record<string, unknown> = {}): Logger {
  const level = moduleLevels.get(root)?.[mod];
  return root.child({ mod, ...bindings }, level ? { level } : undefined);
}

function maskStrings(value: unknown, depth: number): unknown {
  if (typeof value === "string") return maskSecretsInText(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskStrings(v, depth + 1);
  return out;
}

function serializeError(err: unknown): unknown {
  // A rejection can carry anything; only real Errors go through pino's serializer.
  if (!(err instanceof Error)) return { message: maskSecretsInText(String(err)) };
  const s = pino.stdSerializers.err(err);
  return {
    ...s,
    message: maskSecretsInText(String(s.message ?? "")),
    stack: maskSecretsInText(s.stack ?? ""),
  };
}
