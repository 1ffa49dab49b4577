import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { CloudConfig } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Authenticator } from "../api/principal.js";
import { AccessAuthenticator, type ApiKeyVerifier } from "../auth/authenticate.js";
import { GoogleIdTokenVerifier } from "../auth/google-id-token.js";
import { OneTimeCodes } from "../auth/one-time-codes.js";
import { PasswordHasher, type ScryptParams } from "../auth/password-hash.js";
import { RefreshTokenStore } from "../auth/refresh-tokens.js";
import { loadOrCreateSigningKey, type SigningKey } from "../auth/signing-key.js";
import { TokenService } from "../auth/token-service.js";
import type { DatabaseHandle } from "../db/open-database.js";
import type { ApiModule } from "../http/create-app.js";
import { createMailer } from "../mail/create-mailer.js";
import type { Mailer } from "../mail/mailer.js";
import { type Clock, systemClock } from "../security/clock.js";
import { MemoryRateLimiter, type RateLimiter } from "../security/rate-limit.js";
import { keysDir, readOrCreateSecretFile } from "../security/secret-files.js";
import { adminUserRoutes } from "./admin-user-routes.js";
import { AdminUsersService } from "./admin-users.js";
import { type AuthLimitRules, AuthLimits, DEFAULT_AUTH_LIMITS } from "./auth-limits.js";
import { authRoutes } from "./auth-routes.js";
import { AuthService } from "./auth-service.js";
import { BackgroundTasks } from "./background-tasks.js";
import type { AccountsContext } from "./context.js";
import { GoogleService } from "./google-service.js";
import { jwksRoute } from "./jwks-route.js";
import { profileRoutes } from "./profile-routes.js";
import { ProfileService } from "./profile-service.js";
import { RecoveryService } from "./recovery-service.js";
import { UserStore } from "./user-store.js";

export interface AccountsDeps {
  config: Readonly<CloudConfig>;
  log: Logger;
  db: DatabaseHandle;
  /** Default: the system clock. Tests move time with their own. */
  clock?: Clock;
  /** Default: from `config.mail` (SMTP, or the log/mailDir mailer). */
  mailer?: Mailer;
  /** Default: N=2^17, r=8, p=1. Lower only in tests that do not check the parameters. */
  passwordParams?: ScryptParams;
  /** Default: in memory (one instance). A shared store (Redis) for several instances. */
  rateLimiter?: RateLimiter;
  /** Overrides of DEFAULT_AUTH_LIMITS (the benchmark raises them). */
  rateLimits?: Partial<AuthLimitRules>;
  /** The API-keys module's verifier for `hc_…` bearer secrets. */
  verifyApiKey?: ApiKeyVerifier;
  /** How long the authenticator may reuse a user's state (default 2000 ms). */
  authCacheMs?: number;
  /** Default: `<stateDir>/keys/access-token-ed25519.jwk.json`, created on first start. */
  signingKey?: SigningKey;
}

/** The accounts feature, ready to hand to createApp. */
export interface Accounts {
  /** For createApp's `authenticate`. */
  authenticate: Authenticator;
  /** For createApp's `apiModules`: /api/auth, /api/profile, /api/admin/users, /.well-known/jwks.json. */
  apiModule: ApiModule;
  authenticator: AccessAuthenticator;
  tokens: TokenService;
  mailer: Mailer;
  /** Wait for background work (mail) started so far. */
  idle(): Promise<void>;
  /** Finish background work and close the mailer. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Build the accounts services (loads or creates the signing key and code secret on first call). */
export async function createAccounts(deps: AccountsDeps): Promise<Accounts> {
  const { config, db } = deps;
  const log = moduleLogger(deps.log, "accounts");
  const clock = deps.clock ?? systemClock;
  const auth = config.auth;
  const key = deps.signingKey ?? (await loadOrCreateSigningKey(config.stateDir));
  const codeSecret = await loadOrCreateCodeSecret(config.stateDir);
  const tokens = new TokenService({
    key,
    issuer: auth.issuer ?? config.http.publicUrl,
    audience: auth.audience,
    accessTtlSeconds: auth.accessTtlSeconds,
    clock,
  });
  const authenticator = new AccessAuthenticator({
    db: db.db,
    tokens,
    clock,
    verifyApiKey: deps.verifyApiKey,
    ...(deps.authCacheMs !== undefined ? { cacheMs: deps.authCacheMs } : {}),
  });
  const mailer = deps.mailer ?? createMailer(config.mail, moduleLogger(deps.log, "mail"), clock);
  const background = new BackgroundTasks(log);
  const ctx: AccountsContext = {
    config,
    log,
    clock,
    users: new UserStore(db.db),
    hasher: new PasswordHasher(deps.passwordParams),
    tokens,
    refresh: new RefreshTokenStore(db.db, {
      clock,
      log,
      ttlMs: auth.refreshTtlDays * DAY_MS,
      maxLifetimeMs: auth.refreshMaxLifetimeDays * DAY_MS,
      graceMs: auth.refreshReuseGraceSeconds * 1000,
    }),
    codes: new OneTimeCodes(db.db, { clock, secret: codeSecret }),
    mailer,
    limits: new AuthLimits(deps.rateLimiter ?? new MemoryRateLimiter(clock), {
      ...DEFAULT_AUTH_LIMITS,
      ...deps.rateLimits,
    }),
    authenticator,
    google: auth.google.clientId
      ? new GoogleIdTokenVerifier({ ...auth.google, clientId: auth.google.clientId, clock, log })
      : null,
    background,
  };
  const routes = [
    authRoutes({
      auth: new AuthService(ctx),
      recovery: new RecoveryService(ctx),
      google: new GoogleService(ctx),
    }),
    profileRoutes(new ProfileService(ctx)),
    adminUserRoutes(new AdminUsersService(ctx)),
  ];
  const jwks = jwksRoute(tokens);
  let closing: Promise<void> | undefined;
  return {
    authenticate: authenticator.authenticate,
    apiModule: (registry, router) => {
      jwks(router);
      for (const mount of routes) mount(registry, router);
    },
    authenticator,
    tokens,
    mailer,
    idle: () => background.idle(),
    close() {
      closing ??= background.idle().then(() => mailer.close());
      return closing;
    },
  };
}

/** The HMAC key of e-mail codes: 32 random bytes in `<stateDir>/keys/email-code-hmac.key`. */
async function loadOrCreateCodeSecret(stateDir: string): Promise<Buffer> {
  const file = join(await keysDir(stateDir), "email-code-hmac.key");
  const text = await readOrCreateSecretFile(file, async () => `${randomBytes(32).toString("base64url")}\n`);
  const secret = Buffer.from(text.trim(), "base64url");
  if (secret.length < 32) throw new Error(`${file}: expected at least 32 bytes of base64url`);
  return secret;
}
