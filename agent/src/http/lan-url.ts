import type { NetworkInterfaceInfo } from "node:os";

/**
 * The URL an operator types to reach the LAN server. A wildcard bind (`0.0.0.0`, `::`) is not an
 * address anyone can open, so the first non-internal IPv4 address stands in for it (the one a
 * phone on the same Wi-Fi uses), then loopback when the host has no network yet.
 */
export function lanUrlFor(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string {
  let address = host;
  if (host === "0.0.0.0" || host === "::" || host === "") {
    const external = Object.values(interfaces)
      .flatMap((list) => list ?? [])
      .find((i) => i.family === "IPv4" && !i.internal);
    address = external?.address ?? "127.0.0.1";
  }
  const hostPart = address.includes(":") ? `[${address}]` : address;
  return `http://${hostPart}:${port}`;
}
