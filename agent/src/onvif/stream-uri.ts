import { OnvifError } from "./errors.js";

/**
 * Put `username:password@` into an RTSP URI the camera returned without credentials (most do:
 * ONVIF leaves RTSP authentication to the client). User info already in the URI is kept as is.
 * Both parts are percent-encoded, which ffmpeg decodes before answering the RTSP challenge.
 * Throws HC_ERR_ONVIF_PROTOCOL when the URI is not `rtsp:`/`rtsps:`.
 */
export function injectRtspCredentials(uri: string, username?: string, password?: string): string {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch (err) {
    throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", "the camera gave an invalid stream URI", { cause: err });
  }
  if (url.protocol !== "rtsp:" && url.protocol !== "rtsps:") {
    throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", `the camera gave a ${url.protocol} stream URI, not RTSP`);
  }
  if (!url.host) throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", "the camera gave a stream URI without a host");
  if (url.username !== "" || !username) return url.href;
  url.username = encodeUserInfo(username);
  if (password) url.password = encodeUserInfo(password);
  return url.href;
}

/**
 * Percent-encode everything but RFC 3986 unreserved characters. (The URL setters leave `!$&'()*+,`
 * and others alone; `encodeURIComponent` leaves `!'()*`; a camera's RTSP parser may trip on any.)
 */
function encodeUserInfo(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
