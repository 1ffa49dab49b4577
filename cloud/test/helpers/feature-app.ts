import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CloudConfig, type CloudConfigInput, cloudConfigSchema } from "@homecam/shared";
import type { Express } from "express";
import { type Accounts, createAccounts } from "../../src/accounts/create-accounts.js";
import type { ApiRegistry } from "../../src/api/api-route.js";
import { apiKeyRoutes } from "../../src/api-keys/api-key-routes.js";
import { ApiKeyService } from "../../src/api-keys/api-key-service.js";
import { RefreshTokenStore } from "../../src/auth/refresh-tokens.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import type { DatabaseHandle } from "../../src/db/open-database.js";
import { AccessLog } from "../../src/devices/access-log.js";
import { deviceAuthenticator } from "../../src/devices/device-authenticator.js";
import { DeviceRegistry } from "../../src/devices/device-registry.js";
import { docsRoutes } from "../../src/docs/docs-routes.js";
import type { ApiModule } from "../../src/http/create-app.js";
import { createApp } from "../../src/http/create-app.js";
import type { Mailer } from "../../src/mail/mailer.js";
import type { RendezvousContext } from "../../src/rendezvous/context.js";
import { requestLogMiddleware } from "../../src/request-log/request-log-middleware.js";
import { requestLogRoutes } from "../../src/request-log/request-log-routes.js";
import { type RequestLogSink, RequestLogStore } from "../../src/request-log/request-log-store.js";
import { RequestLogWriter, type RequestLogWriterOptions } from "../../src/request-log/request-log-writer.js";
import { settingsRoutes } from "../../src/settings/settings-routes.js";
import { SettingsStore } from "../../src/settings/settings-store.js";
import { ticketRoutes } from "../../src/tickets/ticket-routes.js";
import { TicketService } from "../../src/tickets/ticket-service.js";
import type { TestDatabase } from "./databases.js";
import { type CapturedLog, captureLogger } from "./logs.js";

// The cloud app as main.ts composes it — the accounts module (real authenticator, access tokens,
// its routes) plus the settings, API-key, request-log, ticket and docs modules — on a migrated test
// database, listening on port 0, with an injected clock. Users are inserted directly and signed in
// with a real session (refresh family + EdDSA access token), so no password hashing is needed.

export interface FeatureApp {
  url: string;
  app: Express;
  /** The listening HTTP server (e.g. to attach the viewer WebSocket hub). */
  server: Server;
  registry: ApiRegistry;
  db: DatabaseHandle;
  config: CloudConfig;
  logs: CapturedLog["lines"];
  accounts: Accounts;
  keys: ApiKeyService;
  settings: SettingsStore;
  tickets: TicketService;
  requestLog: RequestLogWriter;
  requestLogStore: RequestLogStore;
  /** The device registry behind device-token routes (same clock). */
  devices: DeviceRegistry;
  /** What the rendezvous modules are built from (same database, clock and logger). */
  rendezvous: RendezvousContext;
  /** `Bearer <access token>` of a user made by createUser (signed in when created). */
  bearer(userId: string): string;
  /** A new sign-in session for a user made by createUser; bearer() answers its token from then on. */
  signIn(userId: string): Promise<string>;
  /** A new user (active, role `user` unless told), signed in; returns its id. */
  createUser(opts?: { role?: "admin" | "user"; active?: boolean }): Promise<string>;
  setActive(userId: string, active: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface FeatureAppOptions {
  now?: () => number;
  /** Config sections besides stateDir, database and http (e.g. `auth.google`). */
  config?: Omit<CloudConfigInput, "stateDir" | "database" | "http">;
  /** Replaces the request log's database sink (e.g. a deliberately slow one). */
  requestLogSink?: (store: RequestLogStore) => RequestLogSink;
  requestLog?: Omit<RequestLogWriterOptions, "sink" | "log" | "now">;
  /** More API modules (pairing, devices, relay…), built from the app's rendezvous context. */
  modules?: (ctx: RendezvousContext, accounts: Accounts) => ApiModule[];
}

/** Passwords are never hashed here (users are inserted), but the accounts routes may be fuzzed. */
const FAST_SCRYPT = { logN: 10, r: 8, p: 1 } as const;

const nullMailer: Mailer = { send: async () => {}, close: async () => {} };

export async function startFeatureApp(
  database: TestDatabase,
  opts: FeatureAppOptions = {},
): Promise<FeatureApp> {
  const now = opts.now ?? Date.now;
  const config = cloudConfigSchema.parse({
    ...opts.config,
    stateDir: database.stateDir,
    database: { url: database.url },
    http: { port: 0 },
  });
  const { log, lines } = captureLogger();
  const db = database.open();
  await migrateToLatest(db, log);

  const keys = new ApiKeyService({ db: db.db, log, now });
  const settings = new SettingsStore({ db: db.db, dialect: db.dialect, now });
  const tickets = new TicketService({ db: db.db, now });
  const requestLogStore = new RequestLogStore(db.db);
  const requestLog = new RequestLogWriter({
    sink: opts.requestLogSink ? opts.requestLogSink(requestLogStore) : requestLogStore,
    log,
    now,
    ...opts.requestLog,
  });
  requestLog.start();

  const clock = { now };
  const accounts = await createAccounts({
    config,
    log,
    db,
    clock,
    mailer: nullMailer,
    passwordParams: FAST_SCRYPT,
    verifyApiKey: keys.verifyApiKey,
    // Tests change users in the database directly: no cached user state.
    authCacheMs: 0,
  });
  const refresh = new RefreshTokenStore(db.db, {
    clock,
    log,
    ttlMs: 30 * 86_400_000,
    maxLifetimeMs: 90 * 86_400_000,
    graceMs: 10_000,
  });
  const tokens = new Map<string, string>();
  const devices = new DeviceRegistry({ db: db.db, clock });
  const rendezvous: RendezvousContext = {
    config,
    db: db.db,
    dialect: db.dialect,
    clock,
    log,
    registry: devices,
    accessLog: new AccessLog(db.db, clock, log),
  };

  const app = createApp({
    config,
    log,
    db,
    version: "9.9.9-test",
    authenticate: accounts.authenticate,
    authenticateDevice: deviceAuthenticator(devices),
    requestLog: requestLogMiddleware((r) => requestLog.record(r), { now }),
    apiModules: [
      accounts.apiModule,
      settingsRoutes({ store: settings }),
      apiKeyRoutes({ keys }),
      ticketRoutes({ tickets }),
      requestLogRoutes({ store: requestLogStore }),
      ...(opts.modules ? opts.modules(rendezvous, accounts) : []),
      docsRoutes(),
    ],
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  const bearer = (userId: string): string => {
    const token = tokens.get(userId);
    if (!token) throw new Error(`user ${userId} was not made by createUser`);
    return `Bearer ${token}`;
  };
  const signIn = async (userId: string): Promise<string> => {
    const row = await db.db
      .selectFrom("users")
      .select("role")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    const session = await refresh.startFamily(userId, null);
    tokens.set(userId, await accounts.tokens.issueAccess({ id: userId, role: row.role }, session.familyId));
    return bearer(userId);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    server,
    registry: app.locals.registry as ApiRegistry,
    db,
    config,
    logs: lines,
    accounts,
    keys,
    settings,
    tickets,
    requestLog,
    requestLogStore,
    devices,
    rendezvous,
    signIn,
    bearer,
    async createUser(o = {}) {
      const id = randomBytes(12).toString("base64url");
      const t = now();
      await db.db
        .insertInto("users")
        .values({
          id,
          email: `${id.toLowerCase()}@example.test`,
          password_hash: null,
          name: `User ${id}`,
          nickname: null,
          bio: null,
          phone: null,
          birth: null,
          picture_url: null,
          email_verified: 1,
          google_id: null,
          provider: "local",
          role: o.role ?? "user",
          is_active: o.active === false ? 0 : 1,
          last_login_at: null,
          tokens_valid_after: 0,
          created_at: t,
          updated_at: t,
        })
        .execute();
      await signIn(id);
      return id;
    },
    async setActive(userId, active) {
      await db.db
        .updateTable("users")
        .set({ is_active: active ? 1 : 0 })
        .where("id", "=", userId)
        .execute();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await requestLog.stop();
      await accounts.close();
      await db.close();
    },
  };
}

/** A response envelope as tests read it (`data` loosely typed: tests assert on its shape). */
export interface TestResponse {
  status: number;
  headers: Headers;
  body: {
    ok: boolean;
    // biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of data.
    data?: any;
    error?: { code: string; message: string; details?: unknown };
    message?: string;
  };
}

/** fetch with JSON in and out. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { auth?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as never, headers: res.headers };
}
