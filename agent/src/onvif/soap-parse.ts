import { OnvifError } from "./errors.js";
import { child, find, findAll, parseXml, textAt, type XmlElement } from "./xml.js";

/** What the device says about itself (GetDeviceInformation); every field as sent, as a string. */
export interface OnvifDeviceInfo {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

/** A media profile, reduced to what the agent needs. */
export interface OnvifProfile {
  /** Profile token, exactly as the camera spells it (sent back in every media/PTZ call). */
  token: string;
  name: string;
  /** Video codec, normalised: `H264`, `H265`, `JPEG`, `MPEG4`… absent when the profile has no encoder. */
  encoding?: string;
  width?: number;
  height?: number;
  fps?: number;
  bitrateKbps?: number;
  /** Token of the physical video source this profile reads. */
  videoSourceToken?: string;
  /** The profile carries a PTZ configuration (PTZ calls on it can work). */
  ptz: boolean;
}

/** A PTZ preset. */
export interface OnvifPreset {
  token: string;
  name: string;
}

/** A SOAP fault's codes (local names, e.g. `Sender`, `NotAuthorized`) and reason text. */
export interface SoapFault {
  codes: string[];
  reason: string;
}

function parseEnvelope(xml: string, op: string): XmlElement {
  try {
    return parseXml(xml);
  } catch (err) {
    throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", `${op}: the answer is not XML`, { cause: err });
  }
}

function responseOf(xml: string, op: string): XmlElement {
  const el = find(parseEnvelope(xml, op), `${op}Response`);
  if (!el) throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", `${op}: no ${op}Response in the answer`);
  return el;
}

function localValue(qname: string | undefined): string | undefined {
  if (!qname) return undefined;
  const t = qname.trim();
  const i = t.indexOf(":");
  return i === -1 ? t : t.slice(i + 1);
}

/** The fault in a SOAP 1.2 (or 1.1) answer, if it is one; never throws. */
export function parseSoapFault(xml: string | undefined): SoapFault | undefined {
  if (!xml) return undefined;
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  const fault = find(root, "Fault");
  if (!fault) return undefined;
  const codes: string[] = [];
  // SOAP 1.2: Code/Value, Code/Subcode/Value, Subcode/Subcode/Value…
  let code = child(fault, "Code");
  while (code) {
    const v = localValue(textAt(code, "Value"));
    if (v) codes.push(v);
    code = child(code, "Subcode");
  }
  const v11 = localValue(textAt(fault, "faultcode"));
  if (v11) codes.push(v11);
  const reason = textAt(child(fault, "Reason"), "Text") ?? textAt(fault, "faultstring") ?? "";
  return { codes, reason };
}

/** GetDeviceInformation. */
export function parseDeviceInformation(xml: string): OnvifDeviceInfo {
  const r = responseOf(xml, "GetDeviceInformation");
  return {
    manufacturer: textAt(r, "Manufacturer") ?? "",
    model: textAt(r, "Model") ?? "",
    firmwareVersion: textAt(r, "FirmwareVersion") ?? "",
    serialNumber: textAt(r, "SerialNumber") ?? "",
    hardwareId: textAt(r, "HardwareId") ?? "",
  };
}

function positiveNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** `H.264`, `h264`, `H-264` → `H264`. */
export function normaliseEncoding(s: string | undefined): string | undefined {
  const t = s
    ?.trim()
    .toUpperCase()
    .replace(/[.\-_\s]/g, "");
  return t ? t : undefined;
}

/** GetProfiles, Media1 (`trt:`) or Media2 (`tr2:` with a `Configurations` wrapper). */
export function parseProfiles(xml: string): OnvifProfile[] {
  const r = responseOf(xml, "GetProfiles");
  const out: OnvifProfile[] = [];
  for (const p of r.children) {
    if (p.name !== "Profiles") continue;
    const token = p.attrs["token"];
    if (!token) continue;
    const conf = child(p, "Configurations");
    const ve = child(p, "VideoEncoderConfiguration") ?? child(conf, "VideoEncoder");
    const vs = child(p, "VideoSourceConfiguration") ?? child(conf, "VideoSource");
    const ptz = child(p, "PTZConfiguration") ?? child(conf, "PTZ");
    const profile: OnvifProfile = { token, name: textAt(p, "Name") ?? token, ptz: ptz !== undefined };
    const encoding = normaliseEncoding(textAt(ve, "Encoding"));
    if (encoding) profile.encoding = encoding;
    const width = positiveNumber(textAt(ve, "Resolution", "Width"));
    const height = positiveNumber(textAt(ve, "Resolution", "Height"));
    if (width && height) {
      profile.width = width;
      profile.height = height;
    }
    const fps = positiveNumber(textAt(ve, "RateControl", "FrameRateLimit"));
    if (fps) profile.fps = fps;
    const bitrate = positiveNumber(textAt(ve, "RateControl", "BitrateLimit"));
    if (bitrate) profile.bitrateKbps = bitrate;
    const source = textAt(vs, "SourceToken");
    if (source) profile.videoSourceToken = source;
    out.push(profile);
  }
  return out;
}

/** GetStreamUri / GetSnapshotUri: Media1 `MediaUri/Uri` or Media2 `Uri`. */
export function parseMediaUri(xml: string, op: "GetStreamUri" | "GetSnapshotUri"): string {
  const r = responseOf(xml, op);
  const uri = textAt(r, "MediaUri", "Uri") ?? textAt(r, "Uri");
  if (!uri) throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", `${op}: the answer has no URI`);
  return uri;
}

/** GetPresets. */
export function parsePresets(xml: string): OnvifPreset[] {
  const r = responseOf(xml, "GetPresets");
  const out: OnvifPreset[] = [];
  for (const p of findAll(r, "Preset")) {
    const token = p.attrs["token"];
    if (token) out.push({ token, name: textAt(p, "Name") ?? token });
  }
  return out;
}

/** SetPreset → the token of the (new or overwritten) preset. */
export function parseSetPresetToken(xml: string): string {
  const token = textAt(responseOf(xml, "SetPreset"), "PresetToken");
  if (!token) throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", "SetPreset: the answer has no PresetToken");
  return token;
}
