import { type DiscoveredCamera, type DiscoverOnvifOptions, discoverOnvif } from "../onvif/discovery.js";

/** Where the command writes (process.stdout in the CLI, a buffer in tests). */
export interface TextOut {
  write(chunk: string): unknown;
}

/** Options of {@link camerasDiscover} (`homecam cameras discover [--timeout <ms>] [--json] [--interface <ip>]`). */
export interface CamerasDiscoverOptions {
  /** Listening time; default 3000 ms. */
  timeoutMs?: number;
  /** Print a JSON array instead of a table. */
  json?: boolean;
  out?: TextOut;
  /** Local IPv4 address of the interface to probe on. */
  interfaceAddress?: string;
  /** Replaceable for tests. */
  discover?: (opts: DiscoverOnvifOptions) => Promise<DiscoveredCamera[]>;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The human-readable table (pure). */
export function formatDiscoveryTable(cams: readonly DiscoveredCamera[], timeoutMs: number): string {
  if (cams.length === 0) {
    return (
      `No ONVIF camera answered within ${timeoutMs} ms.\n` +
      "Check that the camera is on this network segment (WS-Discovery multicast does not cross routers)\n" +
      "and that ONVIF (and its discovery) is enabled in the camera's settings.\n"
    );
  }
  const rows = [
    ["ADDRESS", "PORT", "NAME", "HARDWARE", "XADDR"],
    ...cams.map((c) => [c.address, String(c.port), c.name ?? "-", c.hardware ?? "-", c.xaddr]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  const n = cams.length;
  lines.push(
    "",
    `${n} camera${n === 1 ? "" : "s"} found. Add one to the config as a source:`,
    `  { type: onvif, host: ${cams[0]?.address}, port: ${cams[0]?.port}, username: …, password: … }`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * `homecam cameras discover`: probe the local network for ONVIF cameras with WS-Discovery and print
 * them. Returns what was found (the CLI may set the exit code from it).
 */
export async function camerasDiscover(options: CamerasDiscoverOptions = {}): Promise<DiscoveredCamera[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const out = options.out ?? process.stdout;
  const discover = options.discover ?? discoverOnvif;
  const cams = await discover({
    timeoutMs,
    ...(options.interfaceAddress ? { interfaceAddress: options.interfaceAddress } : {}),
  });
  out.write(options.json ? `${JSON.stringify(cams, null, 2)}\n` : formatDiscoveryTable(cams, timeoutMs));
  return cams;
}
