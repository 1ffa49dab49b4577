import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { lanUrlFor } from "../../src/http/lan-url.js";

const lo = { address: "127.0.0.1", family: "IPv4", internal: true } as NetworkInterfaceInfo;
const wlan = { address: "192.168.1.23", family: "IPv4", internal: false } as NetworkInterfaceInfo;
const v6 = { address: "fe80::1", family: "IPv6", internal: false } as NetworkInterfaceInfo;

describe("lanUrlFor", () => {
  it.each([
    ["127.0.0.1", { lo: [lo], wlan0: [wlan] }, "http://127.0.0.1:4080"],
    ["0.0.0.0", { lo: [lo], wlan0: [v6, wlan] }, "http://192.168.1.23:4080"],
    ["::", { lo: [lo], wlan0: [wlan] }, "http://192.168.1.23:4080"],
    ["0.0.0.0", { lo: [lo] }, "http://127.0.0.1:4080"],
    ["::1", {}, "http://[::1]:4080"],
  ])("%s with %j → %s", (host, interfaces, url) => {
    expect(lanUrlFor(host, 4080, interfaces)).toBe(url);
  });
});
