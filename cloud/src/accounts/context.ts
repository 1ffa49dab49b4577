import type { CloudConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { AccessAuthenticator } from "../auth/authenticate.js";
import type { GoogleIdTokenVerifier } from "../auth/google-id-token.js";
import type { OneTimeCodes } from "../auth/one-time-codes.js";
import type { PasswordHasher } from "../auth/password-hash.js";
import type { RefreshTokenStore } from "../auth/refresh-tokens.js";
import type { TokenService } from "../auth/token-service.js";
import type { Mailer } from "../mail/mailer.js";
import type { Clock } from "../security/clock.js";
import type { AuthLimits } from "./auth-limits.js";
import type { BackgroundTasks } from "./background-tasks.js";
import type { UserStore } from "./user-store.js";

/** What the account services share; built once by createAccounts. */
export interface AccountsContext {
  config: Readonly<CloudConfig>;
  log: Logger;
  clock: Clock;
  users: UserStore;
  hasher: PasswordHasher;
  tokens: TokenService;
  refresh: RefreshTokenStore;
  codes: OneTimeCodes;
  mailer: Mailer;
  limits: AuthLimits;
  authenticator: AccessAuthenticator;
  google: GoogleIdTokenVerifier | null;
  background: BackgroundTasks;
}

/** Facts about the request the services need (rate-limit keys, session labels). */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}
