import { CodedError } from "@homecam/shared";
/** Codes of store failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type StoreErrorCode = "HC_ERR_STORE_OPEN" | "HC_ERR_STORE_MIGRATION";

/** The local database could not be opened or brought up to date. */
export class StoreError extends CodedError<StoreErrorCode> {
  override readonly name = "StoreError";
}
