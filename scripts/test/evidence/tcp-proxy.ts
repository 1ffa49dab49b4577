import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP forwarder on a free port in front of `target`, that can be cut: `cut()` resets every open
 * connection and resets new ones at once (the far side looks unreachable), `restore()` forwards
 * again. The agent talks to the broker through it, so a broker outage can be made without touching
 * the cloud (its broker is embedded in the cloud process and has no stop/start of its own).
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  #cut = false;
  /** Connections accepted while forwarding (each reconnect of the agent counts). */
  accepted = 0;

  private constructor(readonly targetPort: number) {
    this.#server = createServer((client) => this.#onConnection(client));
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    proxy.#server.listen(0, "127.0.0.1");
    await once(proxy.#server, "listening");
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#open) s.resetAndDestroy();
    this.#open.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #onConnection(client: Socket): void {
    if (this.#cut) {
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = connect(this.targetPort, "127.0.0.1");
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#open.add(a);
      a.pipe(b);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        this.#open.delete(a);
        b.destroy();
      });
    }
  }
}
