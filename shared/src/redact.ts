/**
 * Secret masking shared by loggers and by anything that prints a command line or URL.
 * Browser-safe: no Node imports.
 */

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::([^/\s@]*))?@/gi;
const SECRET_QUERY =
  /([?&](?:password|pass|pwd|token|access_token|secret|key|signature|x-amz-signature)=)[^&\s#]*/gi;

/** Replace `user:password@` in every URL inside `text` with `user:***@`, and secret query values with `***`. */
export function maskSecretsInText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string, pass: string | undefined) =>
      pass === undefined ? `${scheme}${user}@` : `${scheme}${user}:***@`,
    )
    .replace(SECRET_QUERY, "$1***");
}

/** Object keys whose values are always secrets, whatever their nesting. */
export const SECRET_KEYS: readonly string[] = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "secret",
  "secretAccessKey",
  "apiKey",
  "authorization",
  "cookie",
  "pin",
  // One-time e-mail codes travel as `code` in request bodies, but `code` is also every error's
  // stable code (E_*, HC_ERR_*, ENOENT), which operators need in the logs: bodies are never
  // logged, and a code logged on purpose goes under this key.
  "oneTimeCode",
  "credentials",
  "privateKey",
];
