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
  "code",
  "credentials",
  "privateKey",
];
