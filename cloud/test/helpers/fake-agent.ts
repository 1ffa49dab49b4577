import {
  type CloudConfigInput,
  deviceFilters,
  type ErrorCode,
  encodeMessage,
  type MessageBody,
  type MessageBodyInput,
  parseMessage,
  parseTopic,
  topics,
} from "@homecam/shared";
import mqtt, { type MqttClient } from "mqtt";
import { WebSocket } from "ws";
import { type RunningBroker, startBroker } from "../../src/broker/broker.js";
import { heartbeatRoutes } from "../../src/presence/heartbeat-routes.js";
import { Presence } from "../../src/presence/presence.js";
import { CommandRelay } from "../../src/relay/command-relay.js";
import { commandRoutes } from "../../src/relay/command-routes.js";
import { VIEWER_WS_PATH, ViewerHub } from "../../src/ws/viewer-hub.js";
import type { TestDatabase } from "./databases.js";
import { createTestDevice, type TestDevice } from "./device-keys.js";
import { type FeatureApp, startFeatureApp } from "./feature-app.js";

// A protocol-level fake agent: a real `mqtt` client speaking to the real broker exactly as the
// agent does (fresh device token per connect, retained last will "offline", retained "online"
// status, commands on req/+ answered on res/{requestId}); plus the cloud side it talks to (app,
// broker, presence, relay, viewer hub) and a viewer WebSocket client.

/** An 8×8 red JPEG (ffmpeg), small enough for any message. */
export const TINY_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAg+Pkk+SVVVVVVVVWRdZGhoaGRkZGRoaGhwcHCDg4NwcHBoaHBwfHyDg4+Tj4eHg4eTk5ubm7q6srLZ2eD/////xABMAAEBAAAAAAAAAAAAAAAAAAAABgEBAQAAAAAAAAAAAAAAAAAABgcQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAIAAgDASIAAhEAAxEA/9oADAMBAAIRAxEAPwCLAFF/f//Z",
  "base64",
);

/** How the fake agent answers one command. */
export type FakeAnswer =
  | { ok: true; data?: unknown }
  | { ok: false; error: { code: ErrorCode; message: string } }
  | { never: true };

export type AnswerFn = (
  command: MessageBody<"command">,
  requestId: string,
) => FakeAnswer | Promise<FakeAnswer>;

export interface ReceivedCommand {
  requestId: string;
  command: MessageBody<"command">;
}

export interface FakeAgentOptions {
  brokerPort: number;
  device?: TestDevice;
  /** Camera statuses in the online status (agent camera ids). */
  cameras?: { id: string; status: "starting" | "online" | "reconnecting" | "error" | "disabled" }[];
  keepalive?: number;
  answer?: AnswerFn;
}

export interface FakeAgent {
  readonly device: TestDevice;
  readonly id: string;
  readonly client: MqttClient;
  /** Every valid command received, in order. */
  readonly commands: ReceivedCommand[];
  answer: AnswerFn;
  publishStatus(body: MessageBodyInput<"device.status">): Promise<void>;
  publishTelemetry(body: MessageBodyInput<"device.telemetry">): Promise<void>;
  /** A `command.result` on this device's own res topic, whatever was asked. */
  publishResult(requestId: string, body: MessageBodyInput<"command.result">): Promise<void>;
  /** Cut the TCP connection without DISCONNECT (a killed agent): the broker publishes the will. */
  kill(): void;
  /** Clean shutdown as the agent does it: retained "offline", then DISCONNECT. */
  stop(): Promise<void>;
}

/** Default answers: a JPEG for snapshot, settings for settings.*, `{done: name}` otherwise. */
export const defaultAnswer: AnswerFn = (command) => {
  switch (command.name) {
    case "snapshot":
      return { ok: true, data: { contentType: "image/jpeg", dataBase64: TINY_JPEG.toString("base64") } };
    case "settings.get":
    case "settings.set":
      return {
        ok: true,
        data: { name: "Porch", motion: { sensitivity: 50 }, recording: {}, args: command.args },
      };
    default:
      return { ok: true, data: { done: command.name } };
  }
};

export async function startFakeAgent(opts: FakeAgentOptions): Promise<FakeAgent> {
  const device = opts.device ?? (await createTestDevice());
  const id = device.id;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${opts.brokerPort}`, {
    clientId: id,
    username: id,
    password: await device.token(),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    keepalive: opts.keepalive ?? 30,
    will: {
      topic: topics.status(id),
      payload: Buffer.from(encodeMessage("device.status", { state: "offline", reason: "connection lost" })),
      qos: 1,
      retain: true,
    },
  });
  const commands: ReceivedCommand[] = [];
  const publish = async (topic: string, payload: string, retain = false) => {
    await client.publishAsync(topic, payload, { qos: 1, retain });
  };
  const agent: FakeAgent = {
    device,
    id,
    client,
    commands,
    answer: opts.answer ?? defaultAnswer,
    publishStatus: (body) => publish(topics.status(id), encodeMessage("device.status", body), true),
    publishTelemetry: (body) => publish(topics.telemetry(id), encodeMessage("device.telemetry", body)),
    publishResult: (requestId, body) =>
      publish(topics.res(id, requestId), encodeMessage("command.result", body, { id: requestId })),
    kill() {
      client.stream.destroy();
      client.end(true);
    },
    async stop() {
      await agent.publishStatus({ state: "offline", reason: "shutdown" });
      await client.endAsync();
    },
  };
  client.on("message", (topic, payload) => {
    const parsed = parseTopic(topic);
    const message = parseMessage(payload, ["command"]);
    if (parsed?.kind !== "req" || !message.ok) return;
    const requestId = parsed.requestId;
    commands.push({ requestId, command: message.message.body });
    void Promise.resolve(agent.answer(message.message.body, requestId)).then(async (answer) => {
      if ("never" in answer) return;
      await agent.publishResult(requestId, answer).catch(() => {});
    });
  });
  await client.subscribeAsync(deviceFilters.requests(id), { qos: 1 });
  await agent.publishStatus({ state: "online", agentVersion: "0.0.0-fake", cameras: opts.cameras ?? [] });
  return agent;
}

/** The cloud side of the relay: feature app + broker + presence + relay + hub, wired like main. */
export interface RelayStack {
  app: FeatureApp;
  broker: RunningBroker;
  presence: Presence;
  relay: CommandRelay;
  hub: ViewerHub;
  /** `ws://…/api/ws` */
  wsUrl: string;
  /** Start a fake agent on this broker (closed with the stack). */
  agent(opts?: Omit<FakeAgentOptions, "brokerPort">): Promise<FakeAgent>;
  /** Pin a device (first contact) without connecting it. */
  pin(device: TestDevice): Promise<void>;
  /** Insert a camera row; returns its cloud id. */
  camera(deviceId: string, localId: string): Promise<string>;
  grant(deviceId: string, userId: string, role: "owner" | "viewer"): Promise<void>;
  close(): Promise<void>;
}

export interface RelayStackOptions {
  now?: () => number;
  config?: Omit<CloudConfigInput, "stateDir" | "database" | "http">;
  authTimeoutMs?: number;
}

export async function startRelayStack(
  database: TestDatabase,
  opts: RelayStackOptions = {},
): Promise<RelayStack> {
  let presence!: Presence;
  let relay!: CommandRelay;
  let hub!: ViewerHub;
  const app = await startFeatureApp(database, {
    ...(opts.now ? { now: opts.now } : {}),
    config: { mqtt: { port: 0 }, ...opts.config },
    modules: (ctx, accounts) => {
      hub = new ViewerHub({
        db: ctx.db,
        authenticate: accounts.authenticate,
        clock: ctx.clock,
        log: ctx.log,
        ...(opts.authTimeoutMs ? { authTimeoutMs: opts.authTimeoutMs } : {}),
      });
      presence = new Presence({ ctx, push: hub, sweepIntervalMs: 0 });
      relay = new CommandRelay({ config: ctx.config, log: ctx.log, clock: ctx.clock, presence });
      return [commandRoutes({ ctx, commander: relay }), heartbeatRoutes({ ctx, presence })];
    },
  });
  const broker = await startBroker({
    registry: app.devices,
    log: app.rendezvous.log,
    host: "127.0.0.1",
    port: 0,
    maxPacketBytes: 256 * 1024,
  });
  await presence.start(broker);
  await relay.start(broker);
  hub.attach(app.server);
  const agents: FakeAgent[] = [];
  const db = app.db.db;
  let seq = 0;
  return {
    app,
    broker,
    presence,
    relay,
    hub,
    wsUrl: `${app.url.replace(/^http/, "ws")}${VIEWER_WS_PATH}`,
    async agent(o = {}) {
      const agent = await startFakeAgent({ ...o, brokerPort: broker.port });
      agents.push(agent);
      return agent;
    },
    async pin(device) {
      await app.devices.verifyDeviceToken(await device.token());
    },
    async camera(deviceId, localId) {
      const id = `cam${++seq}${localId.replace(/[^A-Za-z0-9]/g, "")}${deviceId.slice(0, 6)}`;
      const now = Date.now();
      await db
        .insertInto("cameras")
        .values({
          id,
          device_id: deviceId,
          local_id: localId,
          name: localId,
          location: null,
          source_kind: "test",
          status: "unknown",
          status_reason: null,
          created_at: now,
          updated_at: now,
          removed_at: null,
        })
        .execute();
      return id;
    },
    async grant(deviceId, userId, role) {
      await db
        .insertInto("device_grants")
        .values({ device_id: deviceId, user_id: userId, role, granted_by: null, created_at: Date.now() })
        .execute();
    },
    async close() {
      for (const a of agents) a.client.end(true);
      await hub.close();
      await relay.close();
      await presence.close();
      await broker.close();
      await app.close();
    },
  };
}

/** A viewer on `/api/ws`: every message it got, and how the socket closed. */
export interface TestViewer {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** Resolves with the first message (already received or future) matching `pred`. */
  next(pred: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Open a viewer socket; with `token`, send `auth` first. */
export async function openViewer(url: string, token?: string): Promise<TestViewer> {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  if (token) ws.send(JSON.stringify({ type: "auth", token }));
  return {
    ws,
    messages,
    closed,
    next(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = messages.find(pred);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Poll `cond` until it is truthy (conditions, never fixed sleeps). */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  timeoutMs = 5000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
