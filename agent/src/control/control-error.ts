import { CodedError } from "@homecam/shared";
/** Codes of control-channel failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type ControlErrorCode =
  /** No agent answers on the socket (missing file, or a stale one nobody listens on). */
  | "HC_ERR_CONTROL_NOT_RUNNING"
  /** The socket exists but this user may not open it. */
  | "HC_ERR_CONTROL_PERMISSION"
  /** The agent did not answer within the call's time limit. */
  | "HC_ERR_CONTROL_TIMEOUT"
  /** The connection closed before the answer arrived (agent stopping or crashed). */
  | "HC_ERR_CONTROL_CLOSED"
  /** The other side sent something that is not the protocol (garbled or oversized line). */
  | "HC_ERR_CONTROL_PROTOCOL"
  /** The agent answered the request with an error; `remoteCode` says which. */
  | "HC_ERR_CONTROL_REMOTE"
  /** Another agent already answers on this socket (two agents on one state directory). */
  | "HC_ERR_CONTROL_IN_USE"
  /** The socket path cannot be used (too long for a Unix socket, or taken by a non-socket file). */
  | "HC_ERR_CONTROL_SOCKET_PATH"
  /** `events list` / `recordings list`: the state directory holds no database yet. */
  | "HC_ERR_CONTROL_NO_DATABASE"
  /** `events list` / `recordings list`: the database exists but cannot be read. */
  | "HC_ERR_CONTROL_DATABASE";

/** A control-channel failure; `remoteCode` carries the agent's own code for `HC_ERR_CONTROL_REMOTE`. */
export class ControlError extends CodedError<ControlErrorCode> {
  override readonly name = "ControlError";
  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown; remoteCode?: string }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.remoteCode = options?.remoteCode;
  }

  /** The agent's code (`E_*` or `HC_ERR_*`) when it answered with an error. */
  readonly remoteCode: string | undefined;
}
