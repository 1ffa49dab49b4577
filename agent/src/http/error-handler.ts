import { ApiError, type ErrorCode, fail, httpStatusFor } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { ErrorRequestHandler, RequestHandler } from "express";

/** Any request no route answered: a 404 in the envelope. */
export function notFound(): RequestHandler {
  return (req, res) => {
    res.status(404).json(fail("E_NOT_FOUND", `no route for ${req.method} ${req.path}`));
  };
}

/**
 * The only error handler. Known errors keep their code; anything else becomes E_INTERNAL with a
 * generic message — the stack and the original message go to the log, never to the client.
 */
export function errorHandler(log: Pick<Logger, "error" | "warn">): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    // Headers already went out (a stream failed half-way): only Express can end the response.
    if (res.headersSent) {
      next(err);
      return;
    }
    const { code, message, details } = classify(err);
    const status = httpStatusFor(code);
    if (status >= 500) log.error({ err, method: req.method, path: req.path }, "request failed");
    else log.warn({ code, method: req.method, path: req.path }, "request rejected");
    res.status(status).json(fail(code, message, details));
  };
}

function classify(err: unknown): { code: ErrorCode; message: string; details?: unknown } {
  if (err instanceof ApiError) return { code: err.code, message: err.message, details: err.details };
  // body-parser and other http-errors: 4xx ones carry a message meant for the client (`expose`).
  const status = (err as { status?: unknown } | null)?.status;
  const expose = (err as { expose?: unknown } | null)?.expose === true;
  if (typeof status === "number" && status >= 400 && status < 500 && expose) {
    return { code: codeForClientStatus(status), message: (err as Error).message };
  }
  return { code: "E_INTERNAL", message: "internal error" };
}

function codeForClientStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "E_UNAUTHORIZED";
    case 403:
      return "E_FORBIDDEN";
    case 404:
      return "E_NOT_FOUND";
    case 413:
      return "E_PAYLOAD_TOO_LARGE";
    case 415:
      return "E_UNSUPPORTED_MEDIA_TYPE";
    default:
      return "E_BAD_REQUEST";
  }
}
