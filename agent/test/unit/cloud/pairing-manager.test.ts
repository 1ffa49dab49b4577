import type { PairingInfo, PairingSession } from "@homecam/shared";
import { describe, expect, it, vi } from "vitest";
import { CloudApiError } from "../../../src/cloud/cloud-api.js";
import { PairingError } from "../../../src/cloud/pairing-error.js";
import { PairingManager } from "../../../src/cloud/pairing-manager.js";

// The pairing manager's decisions, against an in-memory stand-in for the cloud REST client (the
// HTTP path is covered by test/integration/pair) and an injected clock.

const T0 = Date.parse("2025-06-15T12:00:00Z");
const SESSION: PairingSession = {
  pairingId: "pAiRiNgIdPaIrInGiD_-0123",
  pin: "048213",
  url: "https://viewer.example.test/pair#pid=pAiRiNgIdPaIrInGiD_-0123&pin=048213",
  expiresAt: "2025-06-15T12:10:00.000Z",
};

function info(patch: Partial<PairingInfo> = {}): PairingInfo {
  return {
    pairingId: SESSION.pairingId,
    state: "open",
    expiresAt: SESSION.expiresAt,
    device: { id: "dev-1", name: "Porch Pi" },
    cameras: [],
    claimedRole: null,
    ...patch,
  };
}

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** Answers `call` with whatever the test queued for the path; records every call. */
class ScriptedApi {
  readonly calls: Call[] = [];
  generate: () => Promise<unknown> = async () => SESSION;
  info: () => Promise<unknown> = async () => info();

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.calls.push({ method, path, body });
    if (method === "POST" && path === "/api/qr/generate") return (await this.generate()) as T;
    if (method === "GET" && path === `/api/qr/${SESSION.pairingId}/info`) return (await this.info()) as T;
    throw new CloudApiError("E_NOT_FOUND", "no such route", 404);
  }

  infoCalls(): number {
    return this.calls.filter((c) => c.method === "GET").length;
  }
}

function setup(opts: { pollMs?: number } = {}) {
  const api = new ScriptedApi();
  const clock = { now: T0 };
  const logged: unknown[] = [];
  const record = (...args: unknown[]) => logged.push(args);
  const log = { info: record, warn: record, debug: record };
  const manager = new PairingManager({ api, log, clock: () => clock.now, ...opts });
  return { api, clock, manager, logged };
}

/** Let background refreshes (started by `current()`) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe("PairingManager", () => {
  it("start() asks the cloud for a session with an empty body and keeps it as the current one", async () => {
    const { api, manager, logged } = setup();
    expect(manager.current()).toBeNull();
    expect(await manager.start()).toEqual(SESSION);
    expect(api.calls).toEqual([{ method: "POST", path: "/api/qr/generate", body: {} }]);
    expect(manager.current()).toEqual(SESSION);
    // Neither the PIN nor the pairing id reaches the log.
    expect(JSON.stringify(logged)).not.toContain(SESSION.pin);
    expect(JSON.stringify(logged)).not.toContain(SESSION.pairingId);
  });

  it("start() refuses an answer that breaks the contract, without quoting it", async () => {
    const { api, manager } = setup();
    api.generate = async () => ({ ...SESSION, pin: "48213" });
    const err = await manager.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PairingError);
    expect(err).toMatchObject({ code: "HC_ERR_PAIRING_BAD_ANSWER" });
    expect((err as Error).message).toMatch(/^the cloud's answer to POST \/api\/qr\/generate .* pin: /);
    expect((err as Error).message).not.toContain("48213");
    expect(manager.current()).toBeNull();
  });

  it("an unreachable cloud keeps its code and gets a hint about cloud.url", async () => {
    const { api, manager } = setup();
    api.generate = async () => {
      throw new CloudApiError(
        "HC_ERR_CLOUD_UNREACHABLE",
        "cloud https://c.example unreachable: ECONNREFUSED",
        0,
      );
    };
    const err = (await manager.start().catch((e: unknown) => e)) as CloudApiError;
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err.code).toBe("HC_ERR_CLOUD_UNREACHABLE");
    expect(err.message).toBe(
      "cloud https://c.example unreachable: ECONNREFUSED; pairing needs the cloud: check cloud.url " +
        "in the agent's configuration and this host's network",
    );
    // Other refusals pass through untouched.
    const refused = new CloudApiError("E_UNAUTHORIZED", "device token rejected", 401);
    api.generate = async () => {
      throw refused;
    };
    expect(await manager.start().catch((e: unknown) => e)).toBe(refused);
  });

  it("status() reuses an open state for pollMs, then asks again; concurrent callers share a request", async () => {
    const { api, clock, manager } = setup({ pollMs: 2_000 });
    await manager.start();
    expect(await manager.status(SESSION.pairingId)).toEqual({
      state: "open",
      claimedRole: null,
      expiresAt: SESSION.expiresAt,
    });
    expect(api.infoCalls()).toBe(0);

    clock.now += 1_999;
    await manager.status(SESSION.pairingId);
    expect(api.infoCalls()).toBe(0);

    clock.now += 1;
    let release!: () => void;
    api.info = () => new Promise((resolve) => (release = () => resolve(info({ state: "open" }))));
    const both = Promise.all([manager.status(SESSION.pairingId), manager.status(SESSION.pairingId)]);
    await vi.waitFor(() => expect(api.infoCalls()).toBe(1));
    release();
    expect((await both).map((s) => s.state)).toEqual(["open", "open"]);
    expect(api.infoCalls()).toBe(1);
  });

  it("status() of a claimed session drops it from current(); ended states are final", async () => {
    const { api, clock, manager } = setup();
    await manager.start();
    clock.now += 1_000;
    api.info = async () => info({ state: "claimed", claimedRole: "viewer" });
    expect(await manager.status(SESSION.pairingId)).toEqual({
      state: "claimed",
      claimedRole: "viewer",
      expiresAt: SESSION.expiresAt,
    });
    expect(manager.current()).toBeNull();
    clock.now += 60_000;
    expect((await manager.status(SESSION.pairingId)).state).toBe("claimed");
    expect(api.infoCalls()).toBe(1);
  });

  it("status() asks the cloud once the session's expiry has passed, even within pollMs", async () => {
    const { api, clock, manager } = setup({ pollMs: 60_000 });
    await manager.start();
    clock.now = Date.parse(SESSION.expiresAt);
    api.info = async () => info({ state: "expired" });
    expect((await manager.status(SESSION.pairingId)).state).toBe("expired");
    expect(api.infoCalls()).toBe(1);
  });

  it("status() refuses an answer about another session", async () => {
    const { api, clock, manager } = setup();
    await manager.start();
    clock.now += 5_000;
    api.info = async () => info({ pairingId: "another-session-id-0123456" });
    await expect(manager.status(SESSION.pairingId)).rejects.toMatchObject({
      code: "HC_ERR_PAIRING_BAD_ANSWER",
    });
    expect(manager.current()).toEqual(SESSION);
  });

  it("current() drops the session at its expiry without asking the cloud", async () => {
    const { api, clock, manager } = setup();
    await manager.start();
    clock.now = Date.parse(SESSION.expiresAt) - 1;
    api.info = async () => info();
    expect(manager.current()).toEqual(SESSION);
    await settle();
    const asked = api.infoCalls();
    clock.now += 1;
    expect(manager.current()).toBeNull();
    await settle();
    expect(api.infoCalls()).toBe(asked);
  });

  it("current() looks for the claim in the background when its state is stale", async () => {
    const { api, clock, manager } = setup({ pollMs: 1_000 });
    await manager.start();
    expect(manager.current()).toEqual(SESSION);
    await settle();
    expect(api.infoCalls()).toBe(0); // The state from start() is fresh.

    clock.now += 1_000;
    api.info = async () => info({ state: "cancelled" });
    // This read still shows the session; the refresh it started applies to the next one.
    expect(manager.current()).toEqual(SESSION);
    await settle();
    expect(api.infoCalls()).toBe(1);
    expect(manager.current()).toBeNull();
  });

  it("a failed background refresh is logged, and the session stays current", async () => {
    const { api, clock, manager, logged } = setup();
    await manager.start();
    clock.now += 1_000;
    api.info = async () => {
      throw new CloudApiError("HC_ERR_CLOUD_UNREACHABLE", "cloud https://c.example unreachable: timeout", 0);
    };
    expect(manager.current()).toEqual(SESSION);
    await settle();
    expect(manager.current()).toEqual(SESSION);
    expect(JSON.stringify(logged)).toContain("could not refresh the pairing session's state");
  });
});
