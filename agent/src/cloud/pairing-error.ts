import { CodedError } from "@homecam/shared";

/** Codes of pairing failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type PairingErrorCode =
  /** The agent runs with `cloud.enabled: false`: there is no cloud to open a session with. */
  | "HC_ERR_PAIRING_CLOUD_DISABLED"
  /** The cloud answered, but not with what the pairing contract (shared schemas) says. */
  | "HC_ERR_PAIRING_BAD_ANSWER"
  /** `homecam pair`: the session ended (expired, burned, cancelled) or the wait timed out unclaimed. */
  | "HC_ERR_PAIRING_NOT_CLAIMED";

/** A pairing failure with a stable code; the control socket passes the code on to the CLI. */
export class PairingError extends CodedError<PairingErrorCode> {
  override readonly name = "PairingError";
}

/** What the pairing methods answer when the agent has no pairing manager (cloud disabled). */
export function pairingDisabledError(): PairingError {
  return new PairingError(
    "HC_ERR_PAIRING_CLOUD_DISABLED",
    "cloud is disabled in the configuration; pairing needs the cloud " +
      "(set cloud.enabled: true in the agent's configuration and restart the agent)",
  );
}
