import { once } from "node:events";
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import type { Duplex } from "node:stream";
import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "../module.js";
import { lanUrlFor } from "./lan-url.js";

export interface LanServerDeps {
  app: RequestListener;
  host: string;
  /** 0 lets the OS choose (tests); read the result from {@link LanServer.port}. */
  port: number;
  log: Pick<Logger, "info">;
  /**
   * WebSocket upgrades (live view); returns false for a path it does not serve. Without it, or
   * when it declines, the upgrade is refused.
   */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

/** The LAN HTTP server as an agent module: listens on start, closes every connection on stop. */
export class LanServer implements AgentModule {
  readonly name = "lan-server";
  readonly #deps: LanServerDeps;
  #server: Server | undefined;
  #port: number | undefined;

  constructor(deps: LanServerDeps) {
    this.#deps = deps;
  }

  /** The bound port once started. */
  get port(): number | undefined {
    return this.#port;
  }

  /** The URL to print for operators once started. */
  get url(): string | undefined {
    return this.#port === undefined ? undefined : lanUrlFor(this.#deps.host, this.#port, networkInterfaces());
  }

  async start(signal: AbortSignal): Promise<void> {
    const server = createServer(this.#deps.app);
    // A viewer holding a keep-alive socket must not keep the agent from stopping; live streams
    // and WebSockets will close their own connections in their modules.
    server.keepAliveTimeout = 5_000;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => {});
      if (!this.#deps.upgrade?.(req, socket, head)) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
    });
    server.listen({ host: this.#deps.host, port: this.#deps.port });
    try {
      // Rejects on 'error' (EADDRINUSE, EACCES below port 1024) and when the agent stops meanwhile.
      await once(server, "listening", { signal });
    } catch (err) {
      server.close();
      throw err;
    }
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#deps.log.info({ url: this.url, host: this.#deps.host, port: this.#port }, "LAN server listening");
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve, reject) =>
      server.close((err) => (err ? reject(err) : resolve())),
    );
    server.closeIdleConnections();
    // In-flight requests get no grace period here: ModuleRunner bounds stop() anyway, and what is
    // still open at shutdown is a long-lived stream the client will reconnect.
    server.closeAllConnections();
    await closed;
  }
}
