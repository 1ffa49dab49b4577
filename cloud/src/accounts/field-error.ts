import { ApiError } from "@homecam/shared";

/** E_VALIDATION naming one field, shaped like the request validator's. */
export function fieldError(path: string, message: string): ApiError {
  return new ApiError("E_VALIDATION", message, { issues: [{ path, message }] });
}

/** The one answer to any wrong, expired, burned, superseded or foreign code: no oracle. */
export function invalidCode(): ApiError {
  return fieldError("code", "wrong or expired code");
}
