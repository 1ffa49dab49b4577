import { createHash, randomBytes } from "node:crypto";

/** One `WWW-Authenticate` challenge: scheme and its parameters (lower-case keys, unquoted values). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse `WWW-Authenticate` header values. A single value may hold several challenges
 * (`Digest realm="a", nonce="b", Basic realm="c"`); quoted strings may contain commas.
 */
export function parseAuthChallenges(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of values) {
    const re = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*,?/gy;
    let current: AuthChallenge | undefined;
    while (re.lastIndex < value.length) {
      const m = re.exec(value);
      if (m === null || m[0] === "") break;
      const key = m[1] ?? "";
      const quoted = m[2];
      const bare = m[3];
      if (quoted === undefined && bare === undefined) {
        // A lone token starts a new challenge: it is the scheme name.
        current = { scheme: key.toLowerCase(), params: {} };
        out.push(current);
      } else if (current) {
        current.params[key.toLowerCase()] = quoted?.replace(/\\(.)/g, "$1") ?? bare ?? "";
      }
    }
  }
  return out;
}

const DIGEST_HASHES: Record<string, string> = {
  MD5: "md5",
  "SHA-256": "sha256",
  "SHA-512-256": "sha512-256",
};

function digestAlgorithm(c: AuthChallenge): { hash: string; sess: boolean } | undefined {
  const raw = (c.params["algorithm"] ?? "MD5").toUpperCase();
  const sess = raw.endsWith("-SESS");
  const hash = DIGEST_HASHES[sess ? raw.slice(0, -5) : raw];
  return hash ? { hash, sess } : undefined;
}

/**
 * The challenge to answer: Digest (strongest supported algorithm first: SHA-256 over MD5) before
 * Basic; undefined when none is usable.
 */
export function pickChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  const digests = challenges.filter((c) => c.scheme === "digest" && c.params["nonce"] && digestAlgorithm(c));
  digests.sort((a, b) => rank(b) - rank(a));
  return digests[0] ?? challenges.find((c) => c.scheme === "basic");
}

function rank(c: AuthChallenge): number {
  const a = digestAlgorithm(c);
  return a?.hash === "md5" ? 0 : 1;
}

/** Inputs of {@link authorizationHeader}; `cnonce`/`nc` are fixed only by tests. */
export interface AuthorizationInput {
  challenge: AuthChallenge;
  method: string;
  /** Request target as sent on the request line (path and query). */
  uri: string;
  username: string;
  password: string;
  cnonce?: string;
  nc?: number;
}

/** The `Authorization` header value answering `challenge` (RFC 7617 Basic, RFC 7616 Digest). */
export function authorizationHeader(input: AuthorizationInput): string {
  const { challenge: c, method, uri, username, password } = input;
  if (c.scheme === "basic")
    return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  const alg = digestAlgorithm(c);
  if (c.scheme !== "digest" || !alg) throw new Error(`unsupported authentication scheme ${c.scheme}`);
  const h = (s: string): string => createHash(alg.hash).update(s, "utf8").digest("hex");
  const realm = c.params["realm"] ?? "";
  const nonce = c.params["nonce"] ?? "";
  const qops = (c.params["qop"] ?? "").split(",").map((q) => q.trim());
  const qop = qops.includes("auth") ? "auth" : undefined;
  const cnonce = input.cnonce ?? randomBytes(8).toString("hex");
  const nc = (input.nc ?? 1).toString(16).padStart(8, "0");
  let ha1 = h(`${username}:${realm}:${password}`);
  if (alg.sess) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const response = qop ? h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [`username=${q(username)}`, `realm=${q(realm)}`, `nonce=${q(nonce)}`, `uri=${q(uri)}`];
  if (c.params["algorithm"]) parts.push(`algorithm=${c.params["algorithm"]}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  parts.push(`response=${q(response)}`);
  if (c.params["opaque"] !== undefined) parts.push(`opaque=${q(c.params["opaque"])}`);
  return `Digest ${parts.join(", ")}`;
}
