import { createSocket } from "node:dgram";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import makeMdns from "multicast-dns";
import { expect, it } from "vitest";
import { createMdnsAdvertiser, HOMECAM_SERVICE } from "../../../src/mdns/mdns-advertiser.js";
import { log } from "./local-agent.js";

// The advertiser on a loopback socket of its own (never the real 5353 group, DESIGN §8): a
// browser asks for `_homecam._tcp.local` from another port, so the answer comes back as legacy
// unicast (RFC 6762 §6.7) with the SRV port, the TXT id/version and the A address.

it("answers a _homecam._tcp browse with the LAN port and TXT id=<deviceId>, v=1", async () => {
  const socket = createSocket({ type: "udp4", reuseAddr: false });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const { port } = socket.address() as AddressInfo;
  const deviceId = "AbCdEfGh0123456789abcdefghijklmnopqrstuvwxy";
  const advertiser = createMdnsAdvertiser({
    deviceId,
    port: () => 8443,
    log,
    addresses: () => ["127.0.0.1"],
    mdns: { socket, port, multicast: false, bind: false },
  });
  const browser = makeMdns({ multicast: false, bind: false });
  try {
    await advertiser.start(new AbortController().signal);
    const response = once(browser, "response") as Promise<[makeMdns.ResponsePacket]>;
    browser.query({ questions: [{ name: HOMECAM_SERVICE, type: "PTR" }] }, { port, address: "127.0.0.1" });
    const [packet] = await response;
    const byType = Object.fromEntries(packet.answers.map((a) => [a.type, a]));
    const instance = "homecam-abcdefgh._homecam._tcp.local";
    expect(byType["PTR"]).toMatchObject({ name: HOMECAM_SERVICE, data: instance });
    expect(byType["SRV"]).toMatchObject({
      name: instance,
      data: { port: 8443, target: "homecam-abcdefgh.local" },
    });
    const txtAnswer = packet.answers.find((a) => a.type === "TXT");
    const txt = txtAnswer?.type === "TXT" ? [txtAnswer.data].flat().map(String) : [];
    expect(txt).toEqual([`id=${deviceId}`, "v=1"]);
    expect(byType["A"]).toMatchObject({ name: "homecam-abcdefgh.local", data: "127.0.0.1" });
  } finally {
    await new Promise<void>((resolve) => browser.destroy(() => resolve()));
    await advertiser.stop();
  }
});
