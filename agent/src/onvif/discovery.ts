/**
 * WS-Discovery probe over UDP.
 *
 * Our own instead of the onvif package's `Discovery.probe`, because in 0.8.3 that one: rejects
 * (promise API) or hands an error array (callback API) as soon as any non-ProbeMatches datagram
 * arrives, dropping the cameras found; throws from inside the socket listener — an uncaught
 * exception that would take the agent down — on a ProbeMatches holding two ProbeMatch elements or
 * an XAddr that is not a URL; probes only `dn:NetworkVideoTransmitter` (some devices answer only
 * `tds:Device`), sends once over lossy UDP, never checks RelatesTo, can pick the multicast
 * interface only by name, always targets 239.255.255.250:3702 (so it cannot be pointed at a test
 * responder on loopback), mangles scopes through its number-guessing parser, and is a process-wide
 * singleton event emitter.
 */
import { randomUUID } from "node:crypto";
import dgram from "node:dgram";
import type { Logger } from "@homecam/shared/node";
import { OnvifError } from "./errors.js";
import {
  buildProbe,
  type DiscoveredCamera,
  dedupeDiscovered,
  PROBE_TYPES,
  parseProbeMatches,
  WS_DISCOVERY_ADDRESS,
  WS_DISCOVERY_PORT,
} from "./ws-discovery.js";

export type { DiscoveredCamera } from "./ws-discovery.js";

/** Options of {@link discoverOnvif}. */
export interface DiscoverOnvifOptions {
  /** How long to listen for answers; default 3 s (devices answer within 0.5 s by the spec). */
  timeoutMs?: number;
  /** Local IPv4 address of the interface to probe on (multi-homed hosts); default: the routing table's choice. */
  interfaceAddress?: string;
  /** Where to send the probe; default the WS-Discovery group 239.255.255.250:3702. Tests use a unicast loopback responder. */
  target?: { address: string; port: number };
  /** Each probe is sent this many times, 150 ms apart (WS-Discovery's UDP repetition); default 2. */
  repeats?: number;
  logger?: Logger;
}

function isMulticast(address: string): boolean {
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}

/**
 * Probe for ONVIF devices and return every one that answered within the timeout, one entry per
 * device. Rejects with HC_ERR_ONVIF_DISCOVERY when the socket cannot be used (no route for
 * multicast, bad interface address).
 */
export function discoverOnvif(options: DiscoverOnvifOptions = {}): Promise<DiscoveredCamera[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const target = options.target ?? { address: WS_DISCOVERY_ADDRESS, port: WS_DISCOVERY_PORT };
  const repeats = Math.max(1, Math.min(5, options.repeats ?? 2));
  const log = options.logger;
  const probes = PROBE_TYPES.map((t) => {
    const id = `urn:uuid:${randomUUID()}`;
    return { id, datagram: Buffer.from(buildProbe(id, t), "utf8") };
  });
  const ids = new Set(probes.map((p) => p.id));
  const found: DiscoveredCamera[] = [];

  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: "udp4" });
    const timers: ReturnType<typeof setTimeout>[] = [];
    let finished = false;
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      socket.close();
      if (err) reject(err);
      else resolve(dedupeDiscovered(found));
    };
    const fail = (err: Error): void =>
      finish(
        new OnvifError("HC_ERR_ONVIF_DISCOVERY", `WS-Discovery probe failed: ${err.message}`, { cause: err }),
      );

    socket.on("error", fail);
    socket.on("message", (msg, rinfo) => {
      const cams = parseProbeMatches(msg.toString("utf8"), rinfo.address, ids);
      if (cams.length === 0) log?.debug({ from: rinfo.address }, "ws-discovery: ignored datagram");
      found.push(...cams);
    });
    const bindAddress = options.interfaceAddress;
    socket.bind({ port: 0, ...(bindAddress ? { address: bindAddress } : {}) }, () => {
      try {
        if (isMulticast(target.address)) {
          socket.setMulticastTTL(1);
          if (options.interfaceAddress) socket.setMulticastInterface(options.interfaceAddress);
        }
      } catch (err) {
        fail(err as Error);
        return;
      }
      for (let r = 0; r < repeats; r++) {
        timers.push(
          setTimeout(() => {
            for (const p of probes) {
              socket.send(p.datagram, target.port, target.address, (err) => {
                if (err) fail(err);
              });
            }
          }, r * 150),
        );
      }
      timers.push(setTimeout(() => finish(), timeoutMs));
    });
  });
}
