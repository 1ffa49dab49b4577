import { randomInt } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CloudConfig, type CloudConfigInput, cloudConfigSchema } from "@homecam/shared";
import { type Accounts, type AccountsDeps, createAccounts } from "../../../src/accounts/create-accounts.js";
import { migrateToLatest } from "../../../src/db/migrate.js";
import type { DatabaseHandle } from "../../../src/db/open-database.js";
import { createApp } from "../../../src/http/create-app.js";
import type { Mailer, MailMessage } from "../../../src/mail/mailer.js";
import type { Clock } from "../../../src/security/clock.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { captureLogger } from "../../helpers/logs.js";

// The cloud app with the accounts module over a migrated test database, on port 0, with a movable
// clock and a mailer that keeps messages in memory. Passwords are hashed with N=2^10 unless a test
// asks for the real parameters (only the tests that check them do: each real hash costs ~0.4 s).

export const FAST_SCRYPT = { logN: 10, r: 8, p: 1 } as const;

/** A clock tests move by hand; starts at the real time so JWT timestamps look normal. */
export class TestClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Keeps every message; tests wait for the one they expect. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
  async close(): Promise<void> {}
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  body: any;
}

export interface CallOptions {
  body?: unknown;
  token?: string | undefined;
  /** Client address (the app trusts X-Forwarded-For in tests, so each test gets its own IP). */
  ip?: string;
  headers?: Record<string, string>;
}

export interface AccountsTestApp {
  url: string;
  db: DatabaseHandle;
  config: CloudConfig;
  accounts: Accounts;
  clock: TestClock;
  mailer: MemoryMailer;
  logs: Record<string, unknown>[];
  call(method: string, path: string, opts?: CallOptions): Promise<ApiResponse>;
  /** The 6-digit code of the newest mail to `to` (waits for background mail). */
  lastCode(to: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Omit<CloudConfigInput, "stateDir" | "database">;
  deps?: Partial<AccountsDeps>;
  realScrypt?: boolean;
}

export async function startAccountsApp(
  database: TestDatabase,
  opts: StartOptions = {},
): Promise<AccountsTestApp> {
  const config = cloudConfigSchema.parse({
    ...opts.config,
    stateDir: database.stateDir,
    database: { url: database.url },
    http: { port: 0, trustProxy: true, ...opts.config?.http },
  });
  const { log, lines } = captureLogger();
  const db = database.open();
  await migrateToLatest(db, log);
  const clock = new TestClock();
  const mailer = new MemoryMailer();
  const accounts = await createAccounts({
    config,
    log,
    db,
    clock,
    mailer,
    ...(opts.realScrypt ? {} : { passwordParams: FAST_SCRYPT }),
    ...opts.deps,
  });
  const app = createApp({
    config,
    log,
    db,
    version: "9.9.9-test",
    authenticate: accounts.authenticate,
    apiModules: [accounts.apiModule],
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const defaultIp = randomIp();
  return {
    url,
    db,
    config,
    accounts,
    clock,
    mailer,
    logs: lines,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { "x-forwarded-for": o.ip ?? defaultIp, ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(url + path, {
        method,
        headers,
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    async lastCode(to) {
      await accounts.idle();
      const mail = mailer.sent.filter((m) => m.to === to).at(-1);
      const code = mail?.text.match(/^\s+([0-9]{6})$/m)?.[1];
      if (!code) throw new Error(`no code mailed to ${to}`);
      return code;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await accounts.close();
      await db.close();
    },
  };
}

/** A random client address, so tests sharing an app do not share per-IP limits. */
export function randomIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

let counter = 0;
/** A fresh e-mail address. */
export function newEmail(prefix = "user"): string {
  counter++;
  return `${prefix}${counter}.${randomInt(1e9)}@example.com`;
}

export const PASSWORD = "correct horse battery";

/** Register a user and return the session (tokens + user). */
export async function register(
  app: AccountsTestApp,
  email = newEmail(),
  extra: Record<string, unknown> = {},
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
): Promise<{ email: string; session: any }> {
  const res = await app.call("POST", "/api/auth/register", {
    body: { email, password: PASSWORD, name: "Test User", agreeTerms: true, agreePrivacy: true, ...extra },
    ip: randomIp(),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, session: res.body.data };
}
