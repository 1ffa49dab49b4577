/** Who is calling: resolved once per request by the authenticator, before any body is read. */
export interface Principal {
  userId: string;
  role: "admin" | "user";
  /** An access token (full account rights) or an integration API key (no account management). */
  via: "access" | "apikey";
  apiKeyId?: string;
  /** Sign-in session (refresh-token family) of an access token; absent for API keys. */
  sessionId?: string;
}

/**
 * Who may call a route:
 * - `public`: anyone (rate limits still apply);
 * - `user`: a signed-in user, by access token or API key;
 * - `account`: a signed-in user by access token only (account management: password, keys, profile
 *   e-mail — an API key leaked from an integration must not take over the account);
 * - `admin`: an access token of a user with the admin role.
 */
export type RouteAccess = "public" | "user" | "account" | "admin" | "device" | "user-or-device";

/**
 * A device (agent) calling with a token it signed itself (`Authorization: Bearer <device JWT>`,
 * verified by the device registry). Routes with access `device` or `user-or-device` accept it.
 * - `device`: only a device token;
 * - `user-or-device`: a signed-in user or a device; the handler checks what each may do.
 */
export interface DevicePrincipal {
  deviceId: string;
}

/** Resolves a device token from the request headers; null when the bearer is not a device token. */
export type DeviceAuthenticator = (headers: {
  authorization?: string | undefined;
}) => Promise<DevicePrincipal | null>;

/** Resolves the caller from the request headers; null = anonymous. Throws ApiError for a bad token. */
export type Authenticator = (headers: { authorization?: string | undefined }) => Promise<Principal | null>;
