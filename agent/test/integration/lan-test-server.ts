import type { Logger } from "@homecam/shared/node";
import { createLanApp, type LanAppDeps } from "../../src/http/lan-app.js";
import { LanServer, type LanServerDeps } from "../../src/http/lan-server.js";

// The agent's real LAN app and server on 127.0.0.1, port 0, with the routes a test wires — the
// set-up every LAN-side fixture shares.

export interface LanTestServerOptions extends Omit<LanAppDeps, "version" | "uptimeS" | "log"> {
  log: Pick<Logger, "error" | "warn" | "info">;
  upgrade?: LanServerDeps["upgrade"];
  host?: string;
}

export async function startLanTestServer(opts: LanTestServerOptions): Promise<LanServer> {
  const { upgrade, host, log, ...app } = opts;
  const server = new LanServer({
    app: createLanApp({ version: "t", uptimeS: () => 0, log, ...app }),
    ...(upgrade && { upgrade }),
    host: host ?? "127.0.0.1",
    port: 0,
    log,
  });
  await server.start(new AbortController().signal);
  return server;
}
