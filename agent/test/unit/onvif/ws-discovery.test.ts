import { describe, expect, it } from "vitest";
import { camerasDiscover, formatDiscoveryTable } from "../../../src/commands/cameras-discover.js";
import {
  buildProbe,
  type DiscoveredCamera,
  dedupeDiscovered,
  PROBE_TYPES,
  parseProbeMatches,
  scopeValue,
} from "../../../src/onvif/ws-discovery.js";
import { find, parseXml, textAt } from "../../../src/onvif/xml.js";

function matches(relatesTo: string, body: string): string {
  return (
    `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:a="a" xmlns:d="d"><e:Header>` +
    `<a:RelatesTo>${relatesTo}</a:RelatesTo></e:Header><e:Body><d:ProbeMatches>${body}</d:ProbeMatches></e:Body></e:Envelope>`
  );
}
function match(urn: string, xaddrs: string, scopes = ""): string {
  return (
    `<d:ProbeMatch><a:EndpointReference><a:Address>${urn}</a:Address></a:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddrs}</d:XAddrs>` +
    `<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>`
  );
}
const IDS = new Set(["urn:uuid:probe-1"]);

describe("WS-Discovery messages", () => {
  it("builds a well-formed Probe per device type", () => {
    for (const t of PROBE_TYPES) {
      const root = parseXml(buildProbe("urn:uuid:x", t));
      expect(textAt(find(root, "Header"), "MessageID")).toBe("urn:uuid:x");
      expect(textAt(find(root, "Probe"), "Types")).toBe(`${t.prefix}:${t.type}`);
    }
  });

  it("reads a ProbeMatch: address, port, name and hardware from scopes", () => {
    const xml = matches(
      "urn:uuid:probe-1",
      match(
        "urn:uuid:cam-1",
        "http://[fe80::1]/onvif/device_service http://192.168.1.20:8080/onvif/device_service http://10.0.0.5/onvif/device_service",
        "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/Front%20Door onvif://www.onvif.org/hardware/IPC-1234 onvif://www.onvif.org/location/country/nl",
      ),
    );
    expect(parseProbeMatches(xml, "10.0.0.5", IDS)).toEqual([
      {
        address: "10.0.0.5",
        port: 80,
        xaddr: "http://10.0.0.5/onvif/device_service",
        xaddrs: [
          "http://[fe80::1]/onvif/device_service",
          "http://192.168.1.20:8080/onvif/device_service",
          "http://10.0.0.5/onvif/device_service",
        ],
        urn: "urn:uuid:cam-1",
        name: "Front Door",
        hardware: "IPC-1234",
        location: "country/nl",
        scopes: expect.any(Array),
        types: ["dn:NetworkVideoTransmitter"],
      },
    ]);
    // The sender's address is not among the XAddrs (NAT, second interface): first IPv4 one.
    expect(parseProbeMatches(xml, "172.16.0.1", IDS)[0]?.xaddr).toBe(
      "http://192.168.1.20:8080/onvif/device_service",
    );
  });

  it("reads several ProbeMatch elements in one datagram (the onvif package throws on this)", () => {
    const xml = matches(
      "urn:uuid:probe-1",
      match("urn:uuid:a", "http://10.0.0.1/x") + match("urn:uuid:b", "http://10.0.0.2/x"),
    );
    expect(parseProbeMatches(xml, "10.0.0.1", IDS).map((c) => c.urn)).toEqual(["urn:uuid:a", "urn:uuid:b"]);
  });

  it.each([
    [
      "an answer to someone else's probe",
      matches("urn:uuid:other", match("urn:uuid:a", "http://10.0.0.1/x")),
    ],
    ["not XML", "<<<>"],
    ["a Probe (not a match)", buildProbe("urn:uuid:q", PROBE_TYPES[0])],
    ["no usable XAddr", matches("urn:uuid:probe-1", match("urn:uuid:a", "not-a-url ftp://10.0.0.1/x"))],
  ])("ignores %s", (_what, xml) => {
    expect(parseProbeMatches(xml, "10.0.0.1", IDS)).toEqual([]);
  });

  it("accepts a match without RelatesTo (some devices omit it)", () => {
    const xml = `<e:Envelope><e:Body><d:ProbeMatches>${match("urn:uuid:a", "http://10.0.0.1/x")}</d:ProbeMatches></e:Body></e:Envelope>`;
    expect(parseProbeMatches(xml, "10.0.0.1", IDS)).toHaveLength(1);
  });

  it("scopeValue decodes, tolerates bad escapes", () => {
    expect(scopeValue(["onvif://www.onvif.org/name/A%20B"], "name")).toBe("A B");
    expect(scopeValue(["onvif://www.onvif.org/name/100%"], "name")).toBe("100%");
    expect(scopeValue([], "name")).toBeUndefined();
  });
});

const cam = (over: Partial<DiscoveredCamera>): DiscoveredCamera => ({
  address: "10.0.0.1",
  port: 80,
  xaddr: "http://10.0.0.1/onvif/device_service",
  xaddrs: ["http://10.0.0.1/onvif/device_service"],
  scopes: [],
  types: [],
  ...over,
});

describe("dedupeDiscovered", () => {
  it("merges answers of one device (same urn), keeps different devices, sorts by address", () => {
    const out = dedupeDiscovered([
      cam({ urn: "u:b", address: "10.0.0.10", xaddr: "http://10.0.0.10/x", xaddrs: ["http://10.0.0.10/x"] }),
      cam({ urn: "u:a", address: "10.0.0.9", scopes: ["s1"], types: ["dn:NetworkVideoTransmitter"] }),
      cam({ urn: "u:a", address: "10.0.0.9", scopes: ["s1", "s2"], types: ["tds:Device"], name: "A" }),
      cam({ urn: "u:a", address: "192.168.0.9", xaddrs: ["http://192.168.0.9/x"] }),
    ]);
    expect(out.map((c) => [c.urn, c.address])).toEqual([
      ["u:a", "10.0.0.9"],
      ["u:b", "10.0.0.10"],
    ]);
    expect(out[0]).toMatchObject({
      name: "A",
      scopes: ["s1", "s2"],
      types: ["dn:NetworkVideoTransmitter", "tds:Device"],
      xaddrs: ["http://10.0.0.1/onvif/device_service", "http://192.168.0.9/x"],
    });
  });

  it("without an endpoint reference, merges on the XAddr", () => {
    expect(
      dedupeDiscovered([cam({}), cam({}), cam({ xaddr: "http://10.0.0.1:8000/x", port: 8000 })]),
    ).toHaveLength(2);
  });

  it("does not modify its input", () => {
    const a = cam({ urn: "u", scopes: ["s1"] });
    dedupeDiscovered([a, cam({ urn: "u", scopes: ["s2"] })]);
    expect(a.scopes).toEqual(["s1"]);
  });
});

describe("cameras discover command", () => {
  const found = [
    cam({ urn: "u:a", name: "Front Door", hardware: "IPC-1" }),
    cam({ urn: "u:b", address: "10.0.0.2", port: 8080, xaddr: "http://10.0.0.2:8080/onvif/device_service" }),
  ];

  it("prints a table", async () => {
    let text = "";
    const out = await camerasDiscover({
      timeoutMs: 50,
      out: { write: (s) => (text += s) },
      discover: async () => found,
    });
    expect(out).toBe(found);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^ADDRESS\s+PORT\s+NAME\s+HARDWARE\s+XADDR$/);
    expect(lines[1]).toMatch(
      /^10\.0\.0\.1\s+80\s+Front Door\s+IPC-1\s+http:\/\/10\.0\.0\.1\/onvif\/device_service$/,
    );
    expect(lines[2]).toMatch(/^10\.0\.0\.2\s+8080\s+-\s+-\s+http/);
    expect(text).toContain("2 cameras found");
  });

  it("prints JSON, and passes its options to the probe", async () => {
    let text = "";
    let seen: unknown;
    await camerasDiscover({
      timeoutMs: 1234,
      json: true,
      interfaceAddress: "192.168.1.2",
      out: { write: (s) => (text += s) },
      discover: async (o) => {
        seen = o;
        return found;
      },
    });
    expect(JSON.parse(text)).toEqual(found);
    expect(seen).toEqual({ timeoutMs: 1234, interfaceAddress: "192.168.1.2" });
  });

  it("explains an empty result", () => {
    expect(formatDiscoveryTable([], 3000)).toContain("No ONVIF camera answered within 3000 ms");
  });
});
