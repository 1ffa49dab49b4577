/**
 * Base of every error a homecam module throws on purpose: it carries a stable code
 * (`HC_ERR_<AREA>_<WHAT>`, never reused) that callers branch on instead of parsing messages.
 * REST answers use the separate `E_*` catalogue (errors.ts); a boundary maps one to the other.
 */
export class CodedError<C extends `HC_ERR_${string}` = `HC_ERR_${string}`> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
