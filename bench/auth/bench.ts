import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cloudConfigSchema } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import autocannon from "autocannon";
import pg from "pg";
import { DEFAULT_AUTH_LIMITS } from "../../cloud/src/accounts/auth-limits.js";
import { createAccounts } from "../../cloud/src/accounts/create-accounts.js";
import { PASSWORD_SCRYPT } from "../../cloud/src/auth/password-hash.js";
import { migrateToLatest } from "../../cloud/src/db/migrate.js";
import { openDatabase } from "../../cloud/src/db/open-database.js";
import { createApp } from "../../cloud/src/http/create-app.js";
import type { Mailer } from "../../cloud/src/mail/mailer.js";

type Dialect = "sqlite" | "postgres";

const PG_URL =
  process.env.HOMECAM_BENCH_PG_URL ??
  process.env.HOMECAM_TEST_PG_URL ??
  "postgres://homecam:homecam@127.0.0.1:5432/homecam_test";

const EMAIL = "bench@example.com";
const PASSWORD = "a benchmark passphrase";
const LOGIN_CONNECTIONS = 4;
const REFRESH_CONNECTIONS = 10;

// The attempt limits exist to stop exactly this kind of traffic; the bench lifts them all.
const NO_LIMITS = Object.fromEntries(
  Object.keys(DEFAULT_AUTH_LIMITS).map((k) => [k, { limit: 1_000_000_000, windowMs: 60_000 }]),
);

const nullMailer: Mailer = { send: async () => {}, close: async () => {} };

interface CaseResult {
  dialect: Dialect;
  case: "login" | "refresh";
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { seconds: { type: "string", default: "5" }, only: { type: "string" } },
  });
  const seconds = Number(values.seconds);
  const dialects = (values.only ? [values.only] : ["sqlite", "postgres"]) as Dialect[];
  console.log(
    `bench/auth: ${seconds} s per case, autocannon in-process on loopback; ` +
      `rate limits RAISED for the bench (every auth limit ${NO_LIMITS.loginAccount?.limit}/min via deps.rateLimits); ` +
      `scrypt N=2^${PASSWORD_SCRYPT.logN} r=${PASSWORD_SCRYPT.r} p=${PASSWORD_SCRYPT.p} (production parameters)`,
  );
  let failed = false;
  for (const dialect of dialects) {
    let results: CaseResult[];
    try {
      results = await benchDialect(dialect, seconds);
    } catch (err) {
      console.log(`${dialect}: FAILED (${err instanceof Error ? err.message : String(err)})`);
      failed = true;
      continue;
    }
    for (const r of results) {
      console.log(
        `${r.dialect.padEnd(8)} ${r.case.padEnd(7)} ${String(r.connections).padStart(2)} conns  ` +
          `${r.reqPerSec.toFixed(1).padStart(8)} req/s  p50 ${String(r.p50Ms).padStart(5)} ms  ` +
          `p99 ${String(r.p99Ms).padStart(5)} ms  (${r.requests} requests, non-2xx ${r.non2xx}, errors ${r.errors})`,
      );
      console.log(JSON.stringify(r));
      if (r.non2xx > 0 || r.errors > 0) failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function benchDialect(dialect: Dialect, seconds: number): Promise<CaseResult[]> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-auth-"));
  const schema = `hc_bench_${randomBytes(4).toString("hex")}`;
  let url = "sqlite:cloud.db";
  if (dialect === "postgres") {
    await adminQuery(`create schema ${schema}`);
    const u = new URL(PG_URL);
    u.searchParams.set("schema", schema);
    url = u.toString();
  }
  const log = createLogger({ name: "bench", level: "warn" });
  const config = cloudConfigSchema.parse({ stateDir, database: { url }, http: { port: 0 } });
  const db = openDatabase(url, { stateDir, poolSize: config.database.poolSize, log });
  let server: Server | undefined;
  try {
    await migrateToLatest(db, log);
    const accounts = await createAccounts({ config, log, db, mailer: nullMailer, rateLimits: NO_LIMITS });
    const app = createApp({
      config,
      log,
      db,
      version: "bench",
      authenticate: accounts.authenticate,
      apiModules: [accounts.apiModule],
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reg = await post(base, "/api/auth/register", {
      email: EMAIL,
      password: PASSWORD,
      name: "Bench",
      agreeTerms: true,
      agreePrivacy: true,
    });
    if (reg.status !== 201) throw new Error(`register answered ${reg.status}`);

    const login = await autocannon({
      url: `${base}/api/auth/login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      connections: LOGIN_CONNECTIONS,
      duration: seconds,
    });

    // Refresh tokens are single-use: each connection needs its own chain. A shared pool holds one
    // live token per connection; a request takes one, its response puts the rotated one back
    // (autocannon calls onResponse before it builds the connection's next request).
    const pool: string[] = [];
    for (let i = 0; i < REFRESH_CONNECTIONS; i++) {
      const s = await post(base, "/api/auth/login", { email: EMAIL, password: PASSWORD });
      pool.push((s.body as { data: { refreshToken: string } }).data.refreshToken);
    }
    const refresh = await autocannon({
      url: base,
      connections: REFRESH_CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path: "/api/auth/refresh",
          headers: { "content-type": "application/json" },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ refreshToken: pool.shift() ?? "hcr_pool_empty" }),
          }),
          onResponse: (status, body) => {
            if (status === 200)
              pool.push((JSON.parse(body) as { data: { refreshToken: string } }).data.refreshToken);
          },
        },
      ],
    });
    // autocannon stops on the clock by destroying its sockets with requests still in the server;
    // let those finish before the database closes under them (they take milliseconds, see p99).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await accounts.close();
    return [
      summary(dialect, "login", LOGIN_CONNECTIONS, seconds, login),
      summary(dialect, "refresh", REFRESH_CONNECTIONS, seconds, refresh),
    ];
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    }
    await db.close();
    if (dialect === "postgres") await adminQuery(`drop schema if exists ${schema} cascade`);
    await rm(stateDir, { recursive: true, force: true });
  }
}

function summary(
  dialect: Dialect,
  name: "login" | "refresh",
  connections: number,
  seconds: number,
  r: autocannon.Result,
): CaseResult {
  return {
    dialect,
    case: name,
    connections,
    seconds,
    requests: r.requests.total,
    reqPerSec: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
