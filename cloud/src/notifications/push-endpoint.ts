import { isIP } from "node:net";

// Which push endpoints the cloud will POST to. The endpoint is chosen by the browser's push
// service, but it reaches us in a user's request, so it is checked like any user-supplied URL the
// server will call: https only, and never a bare IP address or localhost (that would let a user
// make the cloud send requests into its own network). The one exception is explicit, for tests and
// local push emulators: `notifications.webPush.allowInsecureLocalEndpoints`.

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Why `endpoint` is refused, or null when the cloud may deliver to it. */
export function refusePushEndpoint(endpoint: string, allowInsecureLocal: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "credentials in the endpoint";
  if (allowInsecureLocal && LOOPBACK_HOSTS.has(url.hostname)) {
    return url.protocol === "http:" || url.protocol === "https:" ? null : "must be http(s)";
  }
  if (url.protocol !== "https:") return "must be https://";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0 || host === "localhost" || host.endsWith(".localhost")) {
    return "must name a push service by host name";
  }
  return null;
}
