import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CloudJwks, cloudJwksSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type CryptoKey, importJWK } from "jose";

/** The cached copy of the cloud's JWK Set inside the agent's state directory. */
export const JWKS_CACHE_FILE = "cloud-jwks.json";

export interface JwksCacheOptions {
  /** The cloud's REST base URL; keys come from `<cloudUrl>/.well-known/jwks.json`. */
  cloudUrl: string;
  stateDir: string;
  log: Pick<Logger, "info" | "warn">;
  /** Scheduled refresh period (default 1 h): picks up a rotated key before tokens need it. */
  refreshMs?: number;
  /** Least time between two fetches caused by an unknown `kid` (default 30 s). */
  minUnknownKidIntervalMs?: number;
  /** Fetch timeout (default 5 s): a cloud that does not answer must not hold a viewer up. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The cloud's token-signing public keys, kept in memory and on disk (0600) so LAN tokens still
 * verify with the cloud unreachable, including after a restart. Fetched at start, refreshed
 * periodically and when a token names a key we do not have (rate limited, so a flood of forged
 * `kid`s cannot turn the agent into a load generator against the cloud). A failed fetch keeps
 * the last good keys.
 */
export class JwksCache {
  readonly #o: JwksCacheOptions;
  readonly #file: string;
  #keys = new Map<string, CryptoKey>();
  #fetching: Promise<boolean> | undefined;
  #lastUnknownKidFetch = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: JwksCacheOptions) {
    this.#o = opts;
    this.#file = join(opts.stateDir, JWKS_CACHE_FILE);
  }

  get file(): string {
    return this.#file;
  }

  /** Number of usable keys held now. */
  get size(): number {
    return this.#keys.size;
  }

  /** Load the cache file, then try the cloud once; start the periodic refresh. Never throws. */
  async start(): Promise<void> {
    await this.#loadFile();
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#o.refreshMs ?? 3_600_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The key with id `kid`; an unknown one triggers a (rate-limited) fetch first. */
  async key(kid: string): Promise<CryptoKey | undefined> {
    const known = this.#keys.get(kid);
    if (known) return known;
    const now = (this.#o.now ?? Date.now)();
    if (now - this.#lastUnknownKidFetch < (this.#o.minUnknownKidIntervalMs ?? 30_000)) return undefined;
    this.#lastUnknownKidFetch = now;
    await this.refresh();
    return this.#keys.get(kid);
  }

  /** Fetch the cloud's JWKS (one fetch at a time); true when new keys were taken. Never throws. */
  refresh(): Promise<boolean> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<boolean> {
    const url = new URL("/.well-known/jwks.json", this.#o.cloudUrl);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.#o.timeoutMs ?? 5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const jwks = cloudJwksSchema.parse(await res.json());
      if (jwks.keys.length === 0) throw new Error("no Ed25519 key in the set");
      this.#keys = await importKeys(jwks);
      await this.#saveFile(jwks);
      return true;
    } catch (err) {
      this.#o.log.warn({ err, url: url.href, cachedKeys: this.#keys.size }, "cannot fetch the cloud's JWKS");
      return false;
    }
  }

  async #loadFile(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch {
      return; // first start, or never reached the cloud yet
    }
    try {
      this.#keys = await importKeys(cloudJwksSchema.parse(JSON.parse(text)));
      this.#o.log.info({ file: this.#file, keys: this.#keys.size }, "cloud JWKS loaded from cache");
    } catch (err) {
      this.#o.log.warn({ err, file: this.#file }, "ignoring an unreadable JWKS cache file");
    }
  }

  // Write-then-rename: a crash mid-write leaves the previous file, never a truncated one.
  async #saveFile(jwks: CloudJwks): Promise<void> {
    const tmp = `${this.#file}.tmp`;
    await writeFile(tmp, `${JSON.stringify(jwks)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.#file);
  }
}

async function importKeys(jwks: CloudJwks): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of jwks.keys) {
    const { kty, crv, x, kid } = jwk;
    keys.set(kid, (await importJWK({ kty, crv, x, alg: "EdDSA" }, "EdDSA")) as CryptoKey);
  }
  return keys;
}
