import {
  type DeviceRoleName,
  type PairingSession,
  type PairingState,
  pairingInfoSchema,
  pairingSessionSchema,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { z } from "zod";
import { type CloudApi, CloudApiError } from "./cloud-api.js";
import { PairingError } from "./pairing-error.js";

// The agent's side of pairing (DESIGN §4 "Pairing"): the cloud issues a session (id, PIN, claim
// URL, expiry) for this device; the agent shows it (the CLI's terminal, the LAN /pair page) and
// watches for the claim. The cloud is the only authority on a session's state: this class keeps
// the one open session and a short-lived cache of states so that a CLI polling every second and
// a LAN page refreshing every few seconds cost the cloud at most one request per `pollMs`.

/** A session's state, as `homecam pair` polls it. */
export interface PairingStatus {
  state: PairingState;
  /** The role the claimer got; set once the state is `claimed`. */
  claimedRole: DeviceRoleName | null;
  /** When the session stops accepting claims (ISO 8601, the cloud's clock). */
  expiresAt: string;
}

/** What the control socket and the LAN page need of pairing. */
export interface PairingPort {
  /** Open a new session (the cloud cancels this device's previous open one). */
  start(): Promise<PairingSession>;
  /** A session's state, from the cloud (or a cache younger than the poll interval). */
  status(pairingId: string): Promise<PairingStatus>;
  /** The open session, or null. Synchronous: the LAN page reads it on every request. */
  current(): PairingSession | null;
}

/** Default for {@link PairingManagerOptions.pollMs}. */
export const DEFAULT_PAIRING_POLL_MS = 1_000;
// States of sessions other than the current one are kept only for the CLIs polling them.
const MAX_CACHED_STATES = 16;

export interface PairingManagerOptions {
  /** The cloud's REST client (signs a device token per request). */
  api: Pick<CloudApi, "call">;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /** Epoch milliseconds; injected by tests. */
  clock?: () => number;
  /**
   * Shortest interval between two state requests to the cloud for one session: an answer younger
   * than this is reused, and {@link PairingManager.current} refreshes the open session's state in
   * the background at most this often. Default {@link DEFAULT_PAIRING_POLL_MS}.
   */
  pollMs?: number;
}

interface CachedStatus {
  status: PairingStatus;
  at: number;
}

/** Opens pairing sessions on the cloud and tracks the current one until it is claimed or ends. */
export class PairingManager implements PairingPort {
  readonly #api: PairingManagerOptions["api"];
  readonly #log: PairingManagerOptions["log"];
  readonly #clock: () => number;
  readonly #pollMs: number;
  readonly #states = new Map<string, CachedStatus>();
  readonly #refreshing = new Map<string, Promise<PairingStatus>>();
  #current: PairingSession | null = null;

  constructor(opts: PairingManagerOptions) {
    this.#api = opts.api;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.#pollMs = opts.pollMs ?? DEFAULT_PAIRING_POLL_MS;
  }

  async start(): Promise<PairingSession> {
    const data = await this.#call("POST", "/api/qr/generate", {});
    const session = parseAnswer(pairingSessionSchema, data, "POST /api/qr/generate");
    // The cloud cancelled the previous open session; its state is learnt if someone still polls it.
    this.#current = session;
    this.#remember(session.pairingId, { state: "open", claimedRole: null, expiresAt: session.expiresAt });
    // Neither the id nor the PIN is logged: together they are the claim's credential.
    this.#log.info({ expiresAt: session.expiresAt }, "pairing session opened");
    return session;
  }

  async status(pairingId: string): Promise<PairingStatus> {
    const cached = this.#states.get(pairingId);
    if (cached && this.#isFresh(cached)) return cached.status;
    return this.#refresh(pairingId);
  }

  current(): PairingSession | null {
    const session = this.#current;
    if (!session) return null;
    const now = this.#clock();
    if (Date.parse(session.expiresAt) <= now) {
      this.#current = null;
      this.#log.info({ expiresAt: session.expiresAt }, "pairing session expired unclaimed");
      return null;
    }
    // Nobody may be polling (`homecam pair --json` exits at once): look for the claim ourselves,
    // so the LAN page stops showing a used PIN. The answer applies to the next read.
    const cached = this.#states.get(session.pairingId);
    if (!cached || !this.#isFresh(cached)) {
      this.#refresh(session.pairingId).catch((err: unknown) => {
        this.#log.warn({ err }, "could not refresh the pairing session's state");
      });
    }
    return session;
  }

  /**
   * Whether a cached state can be answered without asking the cloud: an ended session never opens
   * again; an open one is reused for `pollMs`, but not past its expiry, where the cloud has the
   * last word (a claim in the final second, or an expiry).
   */
  #isFresh(cached: CachedStatus): boolean {
    if (cached.status.state !== "open") return true;
    const now = this.#clock();
    return now - cached.at < this.#pollMs && Date.parse(cached.status.expiresAt) > now;
  }

  /** Ask the cloud; concurrent callers for one session share a single request. */
  #refresh(pairingId: string): Promise<PairingStatus> {
    const pending = this.#refreshing.get(pairingId);
    if (pending) return pending;
    const request = this.#fetchStatus(pairingId).finally(() => this.#refreshing.delete(pairingId));
    this.#refreshing.set(pairingId, request);
    return request;
  }

  async #fetchStatus(pairingId: string): Promise<PairingStatus> {
    const data = await this.#call("GET", `/api/qr/${encodeURIComponent(pairingId)}/info`);
    const info = parseAnswer(pairingInfoSchema, data, "GET /api/qr/{pairingId}/info");
    if (info.pairingId !== pairingId) {
      throw new PairingError("HC_ERR_PAIRING_BAD_ANSWER", "the cloud answered about another pairing session");
    }
    const status: PairingStatus = {
      state: info.state,
      claimedRole: info.claimedRole,
      expiresAt: info.expiresAt,
    };
    this.#remember(pairingId, status);
    if (status.state !== "open" && this.#current?.pairingId === pairingId) {
      this.#current = null;
      this.#log.info({ state: status.state, claimedRole: status.claimedRole }, "pairing session closed");
    }
    return status;
  }

  #remember(pairingId: string, status: PairingStatus): void {
    this.#states.delete(pairingId); // Re-inserted last: the map's order is the age order.
    this.#states.set(pairingId, { status, at: this.#clock() });
    for (const oldest of this.#states.keys()) {
      if (this.#states.size <= MAX_CACHED_STATES) break;
      this.#states.delete(oldest);
    }
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    try {
      return await this.#api.call(method, path, body);
    } catch (err) {
      // CloudApi's message names the URL; add what it means for pairing and where to look.
      if (err instanceof CloudApiError && err.code === "HC_ERR_CLOUD_UNREACHABLE") {
        throw new CloudApiError(
          err.code,
          `${err.message}; pairing needs the cloud: check cloud.url in the agent's configuration ` +
            "and this host's network",
          err.status,
        );
      }
      throw err;
    }
  }
}

/** `data` checked against the shared contract; a mismatch is the cloud's fault, with a stable code. */
function parseAnswer<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  // Paths and messages only: zod's messages do not quote the input, which may hold the PIN.
  const issues = parsed.error.issues
    .map((i) => `${i.path.map(String).join(".") || "(answer)"}: ${i.message}`)
    .join("; ");
  throw new PairingError(
    "HC_ERR_PAIRING_BAD_ANSWER",
    `the cloud's answer to ${what} does not match the pairing contract: ${issues}`,
  );
}
