// Loggers for the round-trip bench. The cloud and the agent log at "info" as in production (the
// cloud writes one line per HTTP request, the agent one per command), so the cost of building and
// serialising those lines stays in the measured path; only where the lines go differs: info and
// below are dropped after serialisation, warnings and errors reach stderr.

import { createLogger, type Logger } from "@homecam/shared/node";

/** pino's numeric level of "warn". */
const WARN = 40;
const LEVEL_RE = /^\{"level":(\d+)/;

/** A production-level logger whose warnings and errors go to stderr and nothing else anywhere. */
export function benchLogger(name: string): Logger {
  return createLogger({
    name,
    level: "info",
    destination: {
      write(line: string) {
        if (Number(LEVEL_RE.exec(line)?.[1] ?? WARN) >= WARN) process.stderr.write(line);
      },
    },
  });
}
