import { createLogger, type Logger } from "@homecam/shared/node";

/** A logger that keeps its JSON lines in memory, so tests can assert on what was logged. */
export interface CapturedLog {
  log: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogger(level = "debug"): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    name: "test",
    level,
    destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Record<string, unknown>) },
  });
  return { log, lines };
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return createLogger({ name: "test", level: "silent" });
}
