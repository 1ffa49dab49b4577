import { type ErrorCode, fail, httpStatusFor, ok } from "@homecam/shared";
import type { Response } from "express";

/** Send `{ok: true, data, message?}` with `status` (200 unless told). */
export function sendOk<T>(res: Response, data: T, opts: { status?: number; message?: string } = {}): void {
  res.status(opts.status ?? 200).json(ok(data, opts.message));
}

/** Send `{ok: false, error: {code, message, details?}}` with the code's catalogue status. */
export function sendFail(res: Response, code: ErrorCode, message: string, details?: unknown): void {
  res.status(httpStatusFor(code)).json(fail(code, message, details));
}
