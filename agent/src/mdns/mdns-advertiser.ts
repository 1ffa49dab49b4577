import type { RemoteInfo } from "node:dgram";
import { networkInterfaces } from "node:os";
import type { Logger } from "@homecam/shared/node";
import makeMdns from "multicast-dns";
import type { AgentModule } from "../module.js";

/** The DNS-SD service type viewers browse for (DESIGN §8). */
export const HOMECAM_SERVICE = "_homecam._tcp.local";
const MDNS_PORT = 5353;
const TTL_S = 120;

type Mdns = ReturnType<typeof makeMdns>;
type Answer = Parameters<Mdns["respond"]>[0] extends infer R
  ? R extends { answers: (infer A)[] }
    ? A
    : never
  : never;

export interface MdnsAdvertiserOptions {
  deviceId: string;
  /** The LAN server's port, known once it listens (the advertiser starts after it). */
  port: () => number | undefined;
  log: Pick<Logger, "info" | "warn">;
  /** multicast-dns options; tests pass a loopback socket instead of the real 5353 group. */
  mdns?: makeMdns.Options;
  /** IPv4 addresses to announce (default: the host's non-internal ones). */
  addresses?: () => string[];
}

/**
 * Advertises the LAN server as `homecam-<id>._homecam._tcp.local` with TXT `id=<deviceId>`, `v=1`,
 * so a viewer on the network finds the device without typing an address. Answers PTR/SRV/TXT/A
 * questions for its own names and announces itself once at start. A query from a port other than
 * 5353 is a "legacy unicast" one (RFC 6762 §6.7) and is answered to its sender directly. A
 * failure (5353 taken without SO_REUSEADDR, no multicast route) only costs discovery: it is logged,
 * never fatal.
 */
export function createMdnsAdvertiser(opts: MdnsAdvertiserOptions): AgentModule {
  const label = `homecam-${opts.deviceId
    .slice(0, 8)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
  const instance = `${label}.${HOMECAM_SERVICE}`;
  const host = `${label}.local`;
  let mdns: Mdns | undefined;

  const addresses = (): string[] =>
    opts.addresses?.() ??
    Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((i) => i.family === "IPv4" && !i.internal)
      .map((i) => i.address);

  const records = (): Answer[] => {
    const port = opts.port();
    if (port === undefined) return [];
    return [
      { name: HOMECAM_SERVICE, type: "PTR", ttl: TTL_S, data: instance },
      { name: instance, type: "SRV", ttl: TTL_S, data: { port, target: host, priority: 0, weight: 0 } },
      { name: instance, type: "TXT", ttl: TTL_S, data: [`id=${opts.deviceId}`, "v=1"] },
      ...addresses().map((a): Answer => ({ name: host, type: "A", ttl: TTL_S, data: a })),
    ];
  };

  const onQuery = (query: makeMdns.QueryPacket, rinfo: RemoteInfo): void => {
    const names = new Set(query.questions.map((q) => q.name.toLowerCase()));
    if (![HOMECAM_SERVICE, instance, host].some((n) => names.has(n))) return;
    const answers = records();
    if (answers.length === 0) return;
    if (rinfo.port !== MDNS_PORT) {
      mdns?.respond(
        { id: query.id, questions: query.questions, answers },
        { port: rinfo.port, address: rinfo.address },
      );
    } else {
      mdns?.respond({ answers });
    }
  };

  return {
    name: "mdns",
    start: async () => {
      const m = makeMdns(opts.mdns);
      mdns = m;
      m.on("error", (err: Error) => opts.log.warn({ err }, "mDNS advertising failed"));
      m.on("warning", () => {}); // malformed packets from the network are not our problem
      m.on("query", onQuery);
      await new Promise<void>((resolve) => {
        m.once("ready", resolve);
        m.once("error", () => resolve());
      });
      if (opts.mdns?.multicast !== false) m.respond({ answers: records() });
      opts.log.info({ instance, port: opts.port() }, "advertising on mDNS");
    },
    stop: async () => {
      const m = mdns;
      mdns = undefined;
      await new Promise<void>((resolve) => (m ? m.destroy(() => resolve()) : resolve()));
    },
  };
}

/** True for an address only this machine can reach (advertising it on the LAN would be a lie). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
