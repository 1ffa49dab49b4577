import { ApiError } from "@homecam/shared";
import type { ErrorRequestHandler } from "express";
import { apiErrorFromExpress } from "./express-errors.js";
import { sendFail } from "./respond.js";

/**
 * The one place errors become responses. An {@link ApiError} keeps its code, status, message and
 * details (all meant for the caller). Anything else is a bug or an outage: it is logged with its
 * stack and answered with a bare 500 naming the request id, so an operator can find the log line
 * while the caller learns nothing about the internals.
 */
export function errorHandler(): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for an envelope; express's default handler closes the connection.
      req.log.error({ err }, "error after the response started");
      next(err);
      return;
    }
    const api = err instanceof ApiError ? err : apiErrorFromExpress(err);
    if (api) {
      // A device that is offline or slow is the household's network, not a server fault: no
      // stack, no error level (an operator's alerting should not page on a camera unplugged).
      if (api.code === "E_DEVICE_OFFLINE" || api.code === "E_TIMEOUT") {
        req.log.info({ code: api.code, reason: api.message }, "device unavailable");
      } else if (api.status >= 500) req.log.error({ err: api, code: api.code }, api.message);
      else req.log.debug({ code: api.code, reason: api.message }, "request refused");
      sendFail(res, api.code, api.message, api.details);
      return;
    }
    req.log.error({ err }, "unhandled error");
    sendFail(res, "E_INTERNAL", `internal error (request id ${req.id})`, { requestId: req.id });
  };
}
