/**
 * WS-Discovery (2005/04, the version ONVIF uses) messages: the Probe we send and the ProbeMatches
 * we read. Pure; the UDP side is in discovery.ts.
 */
import { child, childrenNamed, find, parseXml, textAt, type XmlElement } from "./xml.js";

/** One ONVIF device that answered a probe. */
export interface DiscoveredCamera {
  /** Host of {@link xaddr} (the address to configure). */
  address: string;
  /** ONVIF HTTP port of {@link xaddr}. */
  port: number;
  /** Device service URL chosen among {@link xaddrs} (the one on the answering address first). */
  xaddr: string;
  xaddrs: string[];
  /** WS-Addressing endpoint reference (`urn:uuid:…`): the device's stable identity. */
  urn?: string;
  /** From the `onvif://www.onvif.org/name/…` scope. */
  name?: string;
  /** From the `onvif://www.onvif.org/hardware/…` scope. */
  hardware?: string;
  /** From the `onvif://www.onvif.org/location/…` scope. */
  location?: string;
  scopes: string[];
  types: string[];
}

export const WS_DISCOVERY_ADDRESS = "239.255.255.250";
export const WS_DISCOVERY_PORT = 3702;
const NS_ENV = "http://www.w3.org/2003/05/soap-envelope";
const NS_ADDR = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const NS_DISC = "http://schemas.xmlsoap.org/ws/2005/04/discovery";

/** The device types we probe for, one Probe each (a device must match every type listed in a Probe). */
export const PROBE_TYPES = [
  { prefix: "dn", ns: "http://www.onvif.org/ver10/network/wsdl", type: "NetworkVideoTransmitter" },
  { prefix: "tds", ns: "http://www.onvif.org/ver10/device/wsdl", type: "Device" },
] as const;

/** A Probe for devices of one type, with the given `urn:uuid:` message id. */
export function buildProbe(messageId: string, probeType: (typeof PROBE_TYPES)[number]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS_ENV}" xmlns:a="${NS_ADDR}" xmlns:d="${NS_DISC}" xmlns:${probeType.prefix}="${probeType.ns}">` +
    `<s:Header>` +
    `<a:Action s:mustUnderstand="1">${NS_DISC}/Probe</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${NS_ADDR}/role/anonymous</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    `</s:Header>` +
    `<s:Body><d:Probe><d:Types>${probeType.prefix}:${probeType.type}</d:Types></d:Probe></s:Body>` +
    `</s:Envelope>`
  );
}

function words(s: string | undefined): string[] {
  return s ? s.split(/\s+/).filter((w) => w !== "") : [];
}

/** The decoded value of the first `onvif://www.onvif.org/<key>/<value>` scope. */
export function scopeValue(scopes: readonly string[], key: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${key}/`;
  const hit = scopes.find((s) => s.toLowerCase().startsWith(prefix));
  if (!hit) return undefined;
  const raw = hit.slice(prefix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

function fromMatch(m: XmlElement, senderAddress: string): DiscoveredCamera | undefined {
  const urls: URL[] = [];
  for (const x of words(textAt(m, "XAddrs"))) {
    try {
      const u = new URL(x);
      if (u.protocol === "http:" || u.protocol === "https:") urls.push(u);
    } catch {
      // Not a URL: ignore that XAddr.
    }
  }
  // Prefer the XAddr on the address that answered, then IPv4, then anything.
  const chosen =
    urls.find((u) => hostOf(u) === senderAddress) ??
    urls.find((u) => /^\d+\.\d+\.\d+\.\d+$/.test(u.hostname)) ??
    urls[0];
  if (!chosen) return undefined;
  const scopes = words(textAt(m, "Scopes"));
  const cam: DiscoveredCamera = {
    address: hostOf(chosen),
    port: defaultPort(chosen),
    xaddr: chosen.href,
    xaddrs: urls.map((u) => u.href),
    scopes,
    types: words(textAt(m, "Types")),
  };
  const urn = textAt(child(m, "EndpointReference"), "Address");
  if (urn) cam.urn = urn;
  const name = scopeValue(scopes, "name");
  if (name) cam.name = name;
  const hardware = scopeValue(scopes, "hardware");
  if (hardware) cam.hardware = hardware;
  const location = scopeValue(scopes, "location");
  if (location) cam.location = location;
  return cam;
}

/**
 * The devices in one ProbeMatches datagram from `senderAddress`. Anything else — not XML, not a
 * ProbeMatches, or an answer to another probe (RelatesTo not among `probeIds`) — gives `[]`.
 */
export function parseProbeMatches(
  xml: string,
  senderAddress: string,
  probeIds?: ReadonlySet<string>,
): DiscoveredCamera[] {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return [];
  }
  const relatesTo = textAt(find(root, "Header"), "RelatesTo");
  if (probeIds && relatesTo !== undefined && !probeIds.has(relatesTo)) return [];
  const matches = find(root, "ProbeMatches");
  const out: DiscoveredCamera[] = [];
  for (const m of childrenNamed(matches, "ProbeMatch")) {
    const cam = fromMatch(m, senderAddress);
    if (cam) out.push(cam);
  }
  return out;
}

function numericAddressKey(a: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(a)
    ? a
        .split(".")
        .map((p) => p.padStart(3, "0"))
        .join(".")
    : a;
}

/**
 * One entry per device: answers with the same endpoint reference (a device answering both probes,
 * twice, or on two interfaces) or, without one, the same XAddr are merged. Sorted by address, port.
 */
export function dedupeDiscovered(found: readonly DiscoveredCamera[]): DiscoveredCamera[] {
  const byKey = new Map<string, DiscoveredCamera>();
  for (const cam of found) {
    const key = cam.urn ?? `xaddr:${cam.xaddr}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...cam, xaddrs: [...cam.xaddrs], scopes: [...cam.scopes], types: [...cam.types] });
      continue;
    }
    for (const x of cam.xaddrs) if (!prev.xaddrs.includes(x)) prev.xaddrs.push(x);
    for (const s of cam.scopes) if (!prev.scopes.includes(s)) prev.scopes.push(s);
    for (const t of cam.types) if (!prev.types.includes(t)) prev.types.push(t);
    prev.name ??= cam.name;
    prev.hardware ??= cam.hardware;
    prev.location ??= cam.location;
  }
  return [...byKey.values()].sort(
    (a, b) => numericAddressKey(a.address).localeCompare(numericAddressKey(b.address)) || a.port - b.port,
  );
}
