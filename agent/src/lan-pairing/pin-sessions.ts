import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";

/** How long a local PIN can be claimed. */
export const LOCAL_PIN_TTL_MS = 10 * 60_000;
/** Wrong PINs a session survives; the next one burns it (10^6 PINs, so 5 guesses ≈ 1 in 200 000). */
export const MAX_WRONG_PINS = 5;

export type LocalSessionState = "open" | "claimed" | "expired" | "burned" | "cancelled";

export interface LocalPinSession {
  sessionId: string;
  pin: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * Why a claim failed: "wrong" PIN (tries left), or no session to claim ("closed"). `owner`: the
 * session was opened for an owner (`homecam pair --local --owner`: console access is ownership).
 */
export type ClaimResult =
  | { ok: true; sessionId: string; owner: boolean }
  | { ok: false; reason: "wrong" | "closed" };

interface Session extends LocalPinSession {
  state: LocalSessionState;
  wrongTries: number;
  owner: boolean;
}

/**
 * The one local pairing session of this device, in memory: a restart ends it, which is what an
 * operator expects from a PIN shown on the console. A new session cancels the previous one.
 * `claim` is synchronous on purpose: checking the PIN and closing the session happen in one turn
 * of the event loop, so two concurrent claims of the right PIN cannot both win.
 */
export class LocalPinSessions {
  readonly #now: () => number;
  #current: Session | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  start(opts: { owner?: boolean } = {}): LocalPinSession {
    if (this.#current?.state === "open") this.#current.state = "cancelled";
    const session: Session = {
      sessionId: randomBytes(9).toString("base64url"),
      // randomInt uses the CSPRNG and rejects biased draws: every PIN is equally likely.
      pin: String(randomInt(0, 1_000_000)).padStart(6, "0"),
      expiresAt: this.#now() + LOCAL_PIN_TTL_MS,
      state: "open",
      wrongTries: 0,
      owner: opts.owner === true,
    };
    this.#current = session;
    return { sessionId: session.sessionId, pin: session.pin, expiresAt: session.expiresAt };
  }

  claim(pin: string): ClaimResult {
    const s = this.#current;
    if (!s || this.#state(s) !== "open") return { ok: false, reason: "closed" };
    if (!samePin(pin, s.pin)) {
      s.wrongTries += 1;
      if (s.wrongTries >= MAX_WRONG_PINS) s.state = "burned";
      return { ok: false, reason: "wrong" };
    }
    s.state = "claimed";
    return { ok: true, sessionId: s.sessionId, owner: s.owner };
  }

  /** The state of session `sessionId`, or null when it is not the current one. */
  status(sessionId: string): LocalSessionState | null {
    const s = this.#current;
    return s && s.sessionId === sessionId ? this.#state(s) : null;
  }

  #state(s: Session): LocalSessionState {
    if (s.state === "open" && this.#now() >= s.expiresAt) s.state = "expired";
    return s.state;
  }
}

function samePin(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
