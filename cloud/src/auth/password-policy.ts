import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@homecam/shared";

// ASVS 5.0 6.2: length (10–256 here; 6.2.1 asks ≥ 8), no composition rules (6.2.5), refuse the
// account's own identifier and common passwords (6.2.4 asks for the top 3 000; this short list only
// covers ones of 10+ characters people actually pick — a full list is a later improvement).
const COMMON = new Set([
  "1234567890",
  "0123456789",
  "0987654321",
  "1111111111",
  "0000000000",
  "12345678910",
  "123456789a",
  "qwertyuiop",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "password12",
  "password123",
  "password1234",
  "passw0rd123",
  "iloveyou12",
  "qwerty1234",
  "qwerty12345",
  "abcdefghij",
  "letmein123",
  "welcome123",
  "homecam123",
  "homecamera",
  "administrator",
]);

/** Why `password` is refused for the account `email`, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split("@")[0] ?? "";
  if (lower === address || lower.includes(address)) return "must not be the e-mail address";
  if (local.length >= 4 && lower === local) return "must not be the e-mail address";
  if (COMMON.has(lower)) return "too common: choose a longer passphrase";
  if (new Set(lower).size === 1) return "too simple: one repeated character";
  return null;
}
