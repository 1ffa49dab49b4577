import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ApiError } from "@homecam/shared";

// A user's own bucket makes the cloud send requests to an address the user chose (the test upload,
// then every presign's HEAD and DELETE). Without a check that is a way into the cloud's own network
// (metadata services, databases, admin panels on 10.x or 127.0.0.1). Admins' providers are trusted.

const blocked = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, "ipv6");
}

/** True for an address a user's bucket must not point at (private, loopback, link-local…). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address in disguise.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
    return blocked.check(address, "ipv6");
  }
  return blocked.check(address, "ipv4");
}

export type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Refuse a user's endpoint that is not http(s), carries credentials, or resolves to a private
 * address (every address the name resolves to is checked). `allowPrivate` is for deployments
 * whose users' storage lives on the LAN (and for tests).
 */
export async function assertUserEndpoint(
  endpoint: string,
  opts: { allowPrivate: boolean; resolve?: Resolve },
): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ApiError("E_VALIDATION", "endpoint is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError("E_VALIDATION", "endpoint must be http:// or https://");
  }
  if (url.username || url.password) {
    throw new ApiError("E_VALIDATION", "put credentials in the credentials field, not in the endpoint");
  }
  if (opts.allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (opts.resolve ?? resolveAll)(host);
  } catch {
    throw new ApiError("E_VALIDATION", "endpoint host does not resolve");
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new ApiError("E_VALIDATION", "endpoint must be a public address (private networks are refused)");
  }
}
