import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ControlClient } from "../../../src/control/control-client.js";
import type { ControlError } from "../../../src/control/control-error.js";
import { FakeCloud } from "./fake-cloud.js";
import { type PairingAgent, startPairingAgent } from "./pairing-agent.js";

// `pair.start` / `pair.status` on the real control socket, the pairing manager calling a fake cloud
// over HTTP with the agent's device tokens.

async function remoteError(
  p: Promise<unknown>,
): Promise<{ code: string; remoteCode?: string; message: string }> {
  const err = (await p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  )) as ControlError;
  return { code: err.code, message: err.message, ...(err.remoteCode ? { remoteCode: err.remoteCode } : {}) };
}

describe("pair.* control methods", () => {
  let dir: string;
  let stateDir: string;
  let cloud: FakeCloud;
  let agent: PairingAgent | undefined;
  let client: ControlClient | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "homecam-pair-ctl-"));
    stateDir = join(dir, "state");
    mkdirSync(stateDir, { mode: 0o700 });
    cloud = await FakeCloud.start();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await agent?.server.stop();
    agent = undefined;
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(cloudUrl: string | null): Promise<ControlClient> {
    agent = await startPairingAgent(stateDir, cloudUrl);
    client = await ControlClient.connect(agent.socketPath);
    return client;
  }

  it("pair.start opens a session; pair.status follows it to the claim and the role", async () => {
    const c = await connect(cloud.url);
    const session = await c.call("pair.start", {});
    expect(session).toEqual({
      pairingId: cloud.sessions[0]?.pairingId,
      pin: cloud.sessions[0]?.pin,
      url: cloud.sessions[0]?.url,
      expiresAt: cloud.sessions[0]?.expiresAt,
    });
    expect(await c.call("pair.status", { pairingId: session.pairingId })).toEqual({
      state: "open",
      claimedRole: null,
      expiresAt: session.expiresAt,
    });
    cloud.claim(session.pairingId, "viewer");
    // The state is the cloud's; a cached "open" is answered for at most the poll interval.
    await vi.waitFor(
      async () =>
        expect(await c.call("pair.status", { pairingId: session.pairingId })).toEqual({
          state: "claimed",
          claimedRole: "viewer",
          expiresAt: session.expiresAt,
        }),
      { timeout: 10_000, interval: 100 },
    );
    expect(agent?.manager?.current()).toBeNull();
    // Every request carried this device's token.
    expect(new Set(cloud.requests.map((r) => r.deviceId))).toEqual(new Set([agent?.identity.deviceId]));
  });

  it("pair.status checks the id, and passes the cloud's refusal on with its code", async () => {
    const c = await connect(cloud.url);
    expect(await remoteError(c.call("pair.status", { pairingId: "short" }))).toMatchObject({
      code: "HC_ERR_CONTROL_REMOTE",
      remoteCode: "E_VALIDATION",
      message: expect.stringMatching(/^pairingId: /),
    });
    // Another device's session, or none: the cloud says not found.
    expect(await remoteError(c.call("pair.status", { pairingId: "A".repeat(22) }))).toEqual({
      code: "HC_ERR_CONTROL_REMOTE",
      remoteCode: "E_NOT_FOUND",
      message: "no such pairing session",
    });
    expect(cloud.requests).toHaveLength(1);
  });

  it("with the cloud disabled both methods answer HC_ERR_PAIRING_CLOUD_DISABLED", async () => {
    const c = await connect(null);
    for (const call of [c.call("pair.start", {}), c.call("pair.status", { pairingId: "A".repeat(22) })]) {
      expect(await remoteError(call)).toEqual({
        code: "HC_ERR_CONTROL_REMOTE",
        remoteCode: "HC_ERR_PAIRING_CLOUD_DISABLED",
        message: expect.stringContaining("cloud is disabled in the configuration; pairing needs the cloud"),
      });
    }
    // The other methods are unaffected.
    expect((await c.call("status", {})).cameras).toHaveLength(2);
  });

  it("with the cloud unreachable pair.start answers HC_ERR_CLOUD_UNREACHABLE naming the URL", async () => {
    const gone = await FakeCloud.start();
    const goneUrl = gone.url;
    await gone.close();
    const c = await connect(goneUrl);
    const err = await remoteError(c.call("pair.start", {}));
    expect(err).toMatchObject({ code: "HC_ERR_CONTROL_REMOTE", remoteCode: "HC_ERR_CLOUD_UNREACHABLE" });
    expect(err.message).toContain(`cloud ${goneUrl} unreachable`);
    expect(agent?.manager?.current()).toBeNull();
  });
});
