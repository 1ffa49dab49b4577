import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer } from "node:tls";
import { DEVICE_ID_RE, messageTypesFor, parseMessage, parseTopic } from "@homecam/shared";
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client } from "aedes";
import { DeviceAuthError } from "../devices/device-registry.js";
import { type BrokerPrincipal, mayPublish, maySubscribe } from "./acl.js";
import type { DeviceConnectionListener, RunningBroker, StartBrokerOptions } from "./broker-types.js";
import { guardConnection } from "./packet-guard.js";

export type {
  DeviceConnectionListener,
  RunningBroker,
  ServiceCredentials,
  ServiceMessageHandler,
  StartBrokerOptions,
} from "./broker-types.js";

/** Username of the cloud's own service identity. The `:` keeps it apart from every device id. */
export const SERVICE_USERNAME = "homecam-cloud:service";
/** Client ids the service identity may use; never a device id (those have no `:`). */
const SERVICE_CLIENT_ID_RE = /^homecam-cloud:[A-Za-z0-9_-]{1,32}$/;
/** Where refused-but-not-fatal publishes (invalid payloads) are sent: a topic nobody may subscribe to. */
const DROP_TOPIC = "$drop/invalid";
/**
 * Longest keep-alive a client may declare, in seconds. aedes closes a client that stays silent for
 * 1.5 × its keep-alive and publishes its will: that is how a silent agent goes offline, so a client
 * may not switch it off (keep-alive 0) or stretch it beyond this (CONNACK refused).
 */
export const MAX_KEEPALIVE_S = 300;

/**
 * Start the embedded aedes broker on a TCP (or TLS) listener. Every connection is wrapped by the
 * packet-length guard before aedes parses a byte; CONNECT is authenticated before aedes registers
 * the client id (so a failed login never takes over a live session); every PUBLISH and SUBSCRIBE
 * goes through acl.ts; device payloads are validated with the shared message schemas.
 */
export async function startBroker(opts: StartBrokerOptions): Promise<RunningBroker> {
  const { registry, log } = opts;
  // The service identity's password: random per start, only ever held in this closure.
  const servicePassword = randomBytes(32).toString("base64url");
  const servicePasswordBytes = Buffer.from(servicePassword);
  const principals = new WeakMap<Client, BrokerPrincipal>();

  const aedes = await Aedes.createBroker({
    maxTopicLevels: 16,
    connectTimeout: 10_000,
    keepaliveLimit: MAX_KEEPALIVE_S,
    authenticate(client, username, password, done) {
      authenticate(client, username, password).then(
        (principal) => {
          principals.set(client, principal);
          done(null, true);
        },
        (err: unknown) => {
          const returnCode = (err as { returnCode?: number }).returnCode ?? 5;
          log.info(
            { clientId: safeId(client.id), reason: err instanceof Error ? err.message : "refused" },
            "mqtt connection refused",
          );
          const e = new Error("refused") as AuthenticateError;
          e.returnCode = returnCode as AuthenticateError["returnCode"];
          done(e, false);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      const principal = client ? principals.get(client) : undefined;
      // client null: a will of a client that is gone; still held to the layout's up topics.
      const allowed = principal
        ? mayPublish(principal, packet.topic)
        : client === null && (parseTopic(packet.topic)?.kind ?? null) === "status";
      if (!allowed) {
        log.warn({ clientId: safeId(client?.id), topic: safeTopic(packet.topic) }, "mqtt publish refused");
        callback(new Error("publish not authorized"));
        return;
      }
      if (principal?.kind === "service") {
        callback(null);
        return;
      }
      const parsed = parseTopic(packet.topic);
      const result = parsed
        ? parseMessage(packet.payload, messageTypesFor(parsed))
        : { ok: false as const, error: "bad topic" };
      if (!result.ok) {
        // Dropped, not fatal: logged, and rerouted to a topic no one can subscribe to.
        log.warn(
          { clientId: safeId(client?.id), topic: safeTopic(packet.topic), error: result.error },
          "mqtt payload dropped",
        );
        packet.topic = DROP_TOPIC;
        packet.retain = false;
        callback(null);
        return;
      }
      // Only the status topic is retained.
      if (parsed?.kind !== "status") packet.retain = false;
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const principal = principals.get(client);
      if (principal && maySubscribe(principal, sub.topic)) {
        callback(null, sub);
        return;
      }
      log.warn({ clientId: safeId(client.id), filter: safeTopic(sub.topic) }, "mqtt subscribe refused");
      callback(null, null);
    },
    authorizeForward(_client, packet) {
      return packet.topic === DROP_TOPIC ? null : packet;
    },
  });

  async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<BrokerPrincipal> {
    if (username === undefined || password === undefined) throw refusal(5, "anonymous");
    if (username === SERVICE_USERNAME) {
      if (!SERVICE_CLIENT_ID_RE.test(client.id)) throw refusal(2, "bad service client id");
      if (
        password.length !== servicePasswordBytes.length ||
        !timingSafeEqual(password, servicePasswordBytes)
      ) {
        throw refusal(4, "bad service secret");
      }
      return { kind: "service" };
    }
    if (!DEVICE_ID_RE.test(username)) throw refusal(4, "username is not a device id");
    if (client.id !== username) throw refusal(2, "client id must equal the device id");
    let deviceId: string;
    try {
      ({ deviceId } = await registry.verifyDeviceToken(password.toString("utf8"), { singleUse: true }));
    } catch (err) {
      if (err instanceof DeviceAuthError) throw refusal(err.code === "revoked" ? 5 : 4, err.message);
      throw refusal(3, "device verification failed");
    }
    if (deviceId !== username) throw refusal(4, "token is for another device");
    return { kind: "device", deviceId };
  }

  const onConnection = (socket: Duplex): void => {
    const conn = guardConnection(socket, opts.maxPacketBytes, (verdict) => {
      log.warn({ verdict }, "mqtt connection refused: packet too large or malformed");
    });
    aedes.handle(conn);
  };
  const tls = Boolean(opts.tlsCertFile && opts.tlsKeyFile);
  const server: Server = tls
    ? createTlsServer(
        { cert: readFileSync(opts.tlsCertFile as string), key: readFileSync(opts.tlsKeyFile as string) },
        onConnection,
      )
    : createTcpServer(onConnection);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    // Commands and answers are small request/response packets: with Nagle's algorithm each one
    // waited for the peer's delayed ACK (40 ms per hop, measured in bench/relay part 3).
    s.setNoDelay(true);
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  aedes.on("clientError", (client, err) => {
    log.debug({ clientId: safeId(client.id), err: err.message }, "mqtt client error");
  });
  aedes.on("connectionError", (client, err) => {
    log.debug({ clientId: safeId(client.id), err: err.message }, "mqtt connection error");
  });
  const connectionListeners = new Set<DeviceConnectionListener>();
  const announce = (client: Client, connected: boolean): void => {
    const principal = principals.get(client);
    if (principal?.kind !== "device") return;
    for (const listener of connectionListeners) {
      try {
        listener(principal.deviceId, connected);
      } catch (err) {
        log.error({ err, deviceId: principal.deviceId }, "device connection listener failed");
      }
    }
  };
  aedes.on("client", (client) => announce(client, true));
  aedes.on("clientDisconnect", (client) => announce(client, false));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  log.info({ host: opts.host, port, tls }, "mqtt broker listening");

  let closing: Promise<void> | undefined;
  return {
    port,
    host: opts.host,
    tls,
    service: {
      username: SERVICE_USERNAME,
      password: servicePassword,
      clientId: (suffix) => `homecam-cloud:${suffix}`,
    },
    publish(topic, payload, publishOpts = {}) {
      if (!mayPublish({ kind: "service" }, topic)) {
        return Promise.reject(new Error("the service may publish only down-direction topics"));
      }
      const packet: AedesPublishPacket = {
        cmd: "publish",
        topic,
        payload: typeof payload === "string" ? Buffer.from(payload) : payload,
        qos: publishOpts.qos ?? 1,
        retain: false,
        dup: false,
      } as AedesPublishPacket;
      return new Promise((resolve, reject) =>
        aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
      );
    },
    subscribe(filter, handler) {
      if (!maySubscribe({ kind: "service" }, filter)) {
        return Promise.reject(new Error("the service may subscribe only to up-direction filters"));
      }
      const deliver = (packet: AedesPublishPacket, done: () => void): void => {
        try {
          const payload = packet.payload;
          handler(packet.topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
        } catch (err) {
          log.error({ err, topic: safeTopic(packet.topic) }, "in-process subscriber failed");
        }
        done();
      };
      const unsubscribe = () =>
        new Promise<void>((resolve) => aedes.unsubscribe(filter, deliver, () => resolve()));
      return new Promise((resolve) => aedes.subscribe(filter, deliver, () => resolve(unsubscribe)));
    },
    onDeviceConnection(listener) {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
    connectedClients: () => aedes.connectedClients,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}

function refusal(returnCode: number, message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

/** Client ids and topics come from the network: log them bounded. */
function safeId(id: string | null | undefined): string | undefined {
  // null before CONNECT was accepted (a refused protocol version or keep-alive).
  return id == null ? undefined : String(id).slice(0, 80);
}

function safeTopic(topic: string): string {
  return String(topic).slice(0, 200);
}
