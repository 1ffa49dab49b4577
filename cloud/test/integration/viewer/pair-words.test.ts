import { describe, expect, it } from "vitest";
import { PAIR_WORDS_JS } from "../../../src/viewer/pair-words.js";

// The claim page's error wording is a pure function inside the served script; it is run here as
// the browser runs it. Some answers (a claim race lost: E_CONFLICT; a server error) cannot be
// caused on purpose through the real API in pair-claim.test.ts, so they are covered here.

interface Failure {
  code: string;
  status?: number;
  message?: string;
  details?: Record<string, unknown>;
  retryAfter?: number | null;
}
type Describe = (r: Failure, where: "signin" | "register" | "pair") => string;

const describeError = new Function(`${PAIR_WORDS_JS}\nreturn describe;`)() as Describe;

describe("the claim page's error wording", () => {
  it.each<[string, Failure, "signin" | "register" | "pair", string]>([
    [
      "expired or used",
      { code: "E_GONE" },
      "pair",
      "This code expired or was already used: ask for a new one.",
    ],
    ["claim race lost", { code: "E_CONFLICT" }, "pair", "This code was already used: ask for a new one."],
    [
      "e-mail taken",
      { code: "E_CONFLICT" },
      "register",
      "An account with this e-mail already exists: sign in instead.",
    ],
    [
      "wrong PIN, several left",
      { code: "E_VALIDATION", details: { attemptsLeft: 3, issues: [] } },
      "pair",
      "Wrong PIN: 3 attempts left.",
    ],
    [
      "wrong PIN, one left",
      { code: "E_VALIDATION", details: { attemptsLeft: 1 } },
      "pair",
      "Wrong PIN: 1 attempt left.",
    ],
    [
      "Retry-After in seconds",
      { code: "E_RATE_LIMITED", retryAfter: 45, details: { retryAfterSeconds: 999 } },
      "pair",
      "Too many attempts. Try again in 45 seconds.",
    ],
    [
      "Retry-After in minutes",
      { code: "E_RATE_LIMITED", retryAfter: 600 },
      "signin",
      "Too many attempts. Try again in 10 minutes.",
    ],
    [
      "no Retry-After header: the details",
      { code: "E_RATE_LIMITED", retryAfter: null, details: { retryAfterSeconds: 1 } },
      "pair",
      "Too many attempts. Try again in 1 second.",
    ],
    ["nothing to go by", { code: "E_RATE_LIMITED" }, "pair", "Too many attempts. Try again in a moment."],
    [
      "typed PIN matching nothing",
      { code: "E_NOT_FOUND" },
      "pair",
      "No pairing code matches this PIN. Check the digits and try again.",
    ],
    ["wrong password", { code: "E_UNAUTHORIZED" }, "signin", "Wrong e-mail or password."],
    ["token refused", { code: "E_UNAUTHORIZED" }, "pair", "Your session has ended: sign in again."],
    ["deactivated", { code: "E_FORBIDDEN" }, "signin", "This account is deactivated."],
    [
      "field issues",
      {
        code: "E_VALIDATION",
        details: { issues: [{ path: "password", message: "at least 10 characters" }] },
      },
      "register",
      "Please check: Password: at least 10 characters.",
    ],
    [
      "offline",
      { code: "E_NETWORK" },
      "pair",
      "Could not reach the server. Check your connection and try again.",
    ],
    [
      "server fault",
      { code: "E_DATABASE_ERROR" },
      "pair",
      "The server had a problem. Try again in a moment.",
    ],
    [
      "unknown code: the message",
      { code: "E_TIMEOUT", message: "device did not answer" },
      "pair",
      "Device did not answer.",
    ],
    ["no message at all", { code: "E_HTTP" }, "pair", "Something went wrong (E_HTTP). Try again."],
  ])("%s", (_name, failure, where, words) => {
    expect(describeError(failure, where)).toBe(words);
  });
});
