import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { MAX_MESSAGE_BYTES, type MessageType, type MqttMessage, parseMessage } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import mqtt, { type MqttClient } from "mqtt";
import { type RunningBroker, startBroker } from "../../../../cloud/src/broker/broker.js";
import { migrateToLatest } from "../../../../cloud/src/db/migrate.js";
import { type DatabaseHandle, openDatabase } from "../../../../cloud/src/db/open-database.js";
import { DeviceRegistry } from "../../../../cloud/src/devices/device-registry.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { tempDir, waitFor } from "../capture/helpers.js";

// The cloud side of the agent's link, built from the cloud's real parts: the aedes broker with its
// device registry on a temporary SQLite database, a service MQTT client as the relay uses, and a
// small HTTP server standing in for the REST routes the link calls (camera registration, heartbeat),
// which checks device tokens with the same registry.

export { tempDir, waitFor };

/** One request the HTTP stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  /** The device the bearer token verified as. */
  deviceId: string;
}

export interface TestCloud {
  readonly registry: DeviceRegistry;
  /** The broker's port (kept across `restartBroker`). */
  readonly port: number;
  readonly mqttUrl: string;
  readonly httpUrl: string;
  readonly requests: RecordedRequest[];
  /** Answer this many next `POST /api/cameras` with a 503 error envelope. */
  failRegistrations: number;
  broker(): RunningBroker;
  stopBroker(): Promise<void>;
  /** A new broker on the same port with the same registry (its replay cache included). */
  startBroker(): Promise<void>;
  /** A connected service client, as the cloud's relay is. */
  service(suffix: string): Promise<MqttClient>;
  close(): Promise<void>;
}

export async function startTestCloud(log: Logger): Promise<TestCloud> {
  const dir = await tempDir("cloud");
  const handle: DatabaseHandle = openDatabase(`sqlite:${join(dir.path, "cloud.db")}`, {
    stateDir: dir.path,
    poolSize: 1,
    log,
  });
  await migrateToLatest(handle, log);
  const registry = new DeviceRegistry({ db: handle.db });
  const brokerOpts = { registry, log, host: "127.0.0.1", maxPacketBytes: MAX_MESSAGE_BYTES };
  let broker: RunningBroker | undefined = await startBroker({ ...brokerOpts, port: 0 });
  const port = broker.port;
  const clients: MqttClient[] = [];
  const requests: RecordedRequest[] = [];
  const cloud = { failRegistrations: 0 };

  const http = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, envelope: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(envelope));
      };
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      registry.verifyDeviceToken(token).then(
        ({ deviceId }) => {
          const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString()) as unknown) : null;
          const path = req.url ?? "";
          requests.push({ method: req.method ?? "", path, body, deviceId });
          if (req.method === "POST" && path === "/api/cameras") {
            if (cloud.failRegistrations > 0) {
              cloud.failRegistrations--;
              send(503, { ok: false, error: { code: "E_DATABASE_ERROR", message: "try later" } });
              return;
            }
            const cams = (body as { cameras: { localId: string }[] }).cameras;
            send(200, {
              ok: true,
              data: cams.map((c) => ({ id: `cc-${c.localId}`, localId: c.localId, removed: false })),
            });
          } else if (req.method === "POST" && /^\/api\/cameras\/[^/]+\/heartbeat$/.test(path)) {
            send(200, { ok: true, data: { received: true } });
          } else {
            send(404, { ok: false, error: { code: "E_NOT_FOUND", message: "no such route" } });
          }
        },
        () => send(401, { ok: false, error: { code: "E_UNAUTHORIZED", message: "bad device token" } }),
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const httpPort = (http.address() as { port: number }).port;

  return {
    registry,
    port,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    requests,
    get failRegistrations() {
      return cloud.failRegistrations;
    },
    set failRegistrations(n: number) {
      cloud.failRegistrations = n;
    },
    broker() {
      if (!broker) throw new Error("the broker is stopped");
      return broker;
    },
    async stopBroker() {
      await broker?.close();
      broker = undefined;
    },
    async startBroker() {
      broker = await startBroker({ ...brokerOpts, port });
    },
    async service(suffix) {
      if (!broker) throw new Error("the broker is stopped");
      const b = broker;
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: b.service.clientId(suffix),
        username: b.service.username,
        password: b.service.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
      await broker?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await handle.close();
      await dir.remove();
    },
  };
}

/** Messages a client receives, parsed and kept in order. */
export class Inbox {
  readonly messages: { topic: string; message: MqttMessage; retain: boolean }[] = [];
  readonly dropped: string[] = [];

  constructor(client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      const parsed = parseMessage(payload);
      if (parsed.ok) this.messages.push({ topic, message: parsed.message, retain: packet.retain });
      else this.dropped.push(topic);
    });
  }

  /** Wait for a message on `topic` of `type` matching `pred`, received after index `from`. */
  async next<T extends MessageType>(
    topic: string,
    type: T,
    pred: (m: MqttMessage<T>) => boolean = () => true,
    from = 0,
    timeoutMs = 15_000,
  ): Promise<MqttMessage<T>> {
    return waitFor(
      `${type} on ${topic}`,
      () =>
        this.messages
          .slice(from)
          .find((m) => m.topic === topic && m.message.type === type && pred(m.message as MqttMessage<T>))
          ?.message as MqttMessage<T> | undefined,
      timeoutMs,
    );
  }
}

/** A device identity whose MQTT tokens are recorded (the tokens themselves are real). */
export async function recordingIdentity(
  stateDir: string,
): Promise<{ identity: DeviceIdentity; tokens: string[] }> {
  const real = await loadOrCreateDeviceIdentity(stateDir);
  const tokens: string[] = [];
  return {
    tokens,
    identity: {
      ...real,
      async signDeviceToken(opts) {
        const token = await real.signDeviceToken(opts);
        tokens.push(token);
        return token;
      },
    },
  };
}

/** A TCP proxy in front of the broker whose connections the test can cut (a dead link, not a clean close). */
export async function startCuttableProxy(
  targetPort: number,
): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((inbound) => {
    const outbound = tcpConnect(targetPort, "127.0.0.1");
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
