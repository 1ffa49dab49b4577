import { maskSecretsInText } from "@homecam/shared";
import { OnvifError, type OnvifErrorCode } from "./errors.js";
import { parseSoapFault } from "./soap-parse.js";

/** What kind of call failed; picks the code for faults that depend on it. */
export type OnvifCallKind = "device" | "media" | "ptz" | "preset";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "ECONNABORTED",
  "EPIPE",
]);

const AUTH_FAULTS = new Set([
  "NotAuthorized",
  "FailedAuthentication",
  "InvalidSecurity",
  "InvalidSecurityToken",
]);

function codeOfFault(codes: readonly string[], kind: OnvifCallKind): OnvifErrorCode | undefined {
  if (codes.some((c) => AUTH_FAULTS.has(c))) return "HC_ERR_ONVIF_AUTH";
  if (codes.includes("NoPTZProfile")) return "HC_ERR_ONVIF_NO_PTZ";
  if (kind === "preset" && codes.includes("NoToken")) return "HC_ERR_ONVIF_NO_PRESET";
  if (codes.includes("NoProfile")) return "HC_ERR_ONVIF_NO_PROFILE";
  if ((kind === "ptz" || kind === "preset") && codes.includes("ActionNotSupported")) {
    return "HC_ERR_ONVIF_NO_PTZ";
  }
  return undefined;
}

/**
 * Turn what the onvif package hands its callbacks (an `Error`, or a Node socket error, plus the
 * raw answer when there was one) into an {@link OnvifError} with a stable code.
 *
 * The package's own messages are: `Network timeout`, `Digest authentication failed 401`,
 * `Digest authentication headers not found 401`, `Wrong ONVIF SOAP response` (not SOAP) and
 * `ONVIF SOAP Fault: <reason>`; the fault's subcodes are only in the XML.
 */
export function classifyOnvifFailure(
  err: unknown,
  xml: string | undefined,
  what: string,
  kind: OnvifCallKind = "device",
): OnvifError {
  if (err instanceof OnvifError) return err;
  const message = maskSecretsInText(err instanceof Error ? err.message : String(err));
  const sysCode = (err as { code?: unknown } | null)?.code;
  if (typeof sysCode === "string" && UNREACHABLE_CODES.has(sysCode)) {
    return new OnvifError("HC_ERR_ONVIF_UNREACHABLE", `${what}: camera unreachable (${sysCode})`, {
      cause: err,
    });
  }
  if (sysCode === "ETIMEDOUT" || message === "Network timeout") {
    return new OnvifError("HC_ERR_ONVIF_TIMEOUT", `${what}: the camera did not answer in time`, {
      cause: err,
    });
  }
  if (message.startsWith("Digest authentication")) {
    return new OnvifError("HC_ERR_ONVIF_AUTH", `${what}: the camera refused the credentials (HTTP 401)`, {
      cause: err,
    });
  }
  const fault = parseSoapFault(xml);
  if (fault) {
    const code = codeOfFault(fault.codes, kind) ?? "HC_ERR_ONVIF_FAULT";
    const detail = [fault.codes.join("/"), fault.reason].filter((s) => s !== "").join(": ");
    const text =
      code === "HC_ERR_ONVIF_AUTH"
        ? `${what}: the camera refused the credentials (${detail})`
        : `${what}: SOAP fault ${maskSecretsInText(detail)}`;
    return new OnvifError(code, text, { cause: err });
  }
  const lowerXml = xml?.toLowerCase() ?? "";
  if (lowerXml.includes("unauthorized") || lowerXml.includes("not authorized")) {
    return new OnvifError("HC_ERR_ONVIF_AUTH", `${what}: the camera refused the credentials`, { cause: err });
  }
  if (message.startsWith("ONVIF SOAP Fault")) {
    return new OnvifError("HC_ERR_ONVIF_FAULT", `${what}: ${message}`, { cause: err });
  }
  return new OnvifError("HC_ERR_ONVIF_PROTOCOL", `${what}: unexpected answer (${message})`, { cause: err });
}
