import { ApiError } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CommandRelay } from "../../../src/relay/command-relay.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type FakeAgent, type RelayStack, startRelayStack, waitFor } from "../../helpers/fake-agent.js";

// The relay as other modules use it (DeviceCommander), against the real broker and a fake agent.

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe.each(TEST_DIALECTS)("CommandRelay on %s", (dialect) => {
  let database: TestDatabase;
  let stack: RelayStack;
  let agent: FakeAgent;
  let clock = Date.now();

  beforeEach(async () => {
    clock = Date.now();
    database = await createTestDatabase(dialect);
    stack = await startRelayStack(database, { now: () => clock });
    agent = await stack.agent();
    await waitFor(() => stack.relay.isOnline(agent.id), 5000, "device online");
  });
  afterEach(async () => {
    await stack?.close();
    await database?.dispose();
  });

  const arm = { name: "arm", args: {} } as const;

  it("resolves with the device's data and sends the request id as the frame id", async () => {
    expect(await stack.relay.send(agent.id, arm, { requestId: "req-1" })).toEqual({ done: "arm" });
    expect(agent.commands).toEqual([{ requestId: "req-1", command: { name: "arm", args: {} } }]);
  });

  it("joins concurrent duplicates and replays finished ones — answers and device errors alike", async () => {
    let n = 0;
    agent.answer = async () => {
      n++;
      await new Promise((r) => setTimeout(r, 50));
      return n === 1 ? { ok: true, data: n } : { ok: false, error: { code: "E_CONFLICT", message: "busy" } };
    };
    const all = await Promise.all(
      Array.from({ length: 5 }, () => stack.relay.send(agent.id, arm, { requestId: "dup" })),
    );
    expect(all).toEqual([1, 1, 1, 1, 1]);
    expect(await stack.relay.send(agent.id, arm, { requestId: "dup" })).toBe(1);
    expect(agent.commands).toHaveLength(1);

    const first = await failure(stack.relay.send(agent.id, arm, { requestId: "dup-err" }));
    const again = await failure(stack.relay.send(agent.id, arm, { requestId: "dup-err" }));
    expect([first.code, again.code, again.message]).toEqual(["E_CONFLICT", "E_CONFLICT", "busy"]);
    expect(agent.commands).toHaveLength(2);
  });

  it("forgets a finished request after 10 minutes (injected clock)", async () => {
    await stack.relay.send(agent.id, arm, { requestId: "old" });
    clock += 10 * 60_000 + 1;
    await stack.relay.send(agent.id, arm, { requestId: "old" });
    expect(agent.commands.map((c) => c.requestId)).toEqual(["old", "old"]);
  });

  it("does not remember a timeout: a retry publishes again with the same id", async () => {
    agent.answer = () => ({ never: true });
    const timedOut = await failure(stack.relay.send(agent.id, arm, { requestId: "slow", timeoutMs: 300 }));
    expect(timedOut.code).toBe("E_TIMEOUT");
    agent.answer = () => ({ ok: true, data: "late but fine" });
    expect(await stack.relay.send(agent.id, arm, { requestId: "slow", timeoutMs: 5000 })).toBe(
      "late but fine",
    );
    expect(agent.commands.map((c) => c.requestId)).toEqual(["slow", "slow"]);
  });

  it("refuses a device that is not connected, and one that went away", async () => {
    const never = "A".repeat(43);
    expect((await failure(stack.relay.send(never, arm))).code).toBe("E_DEVICE_OFFLINE");
    agent.kill();
    await waitFor(() => !stack.relay.isOnline(agent.id), 5000, "device offline");
    expect((await failure(stack.relay.send(agent.id, arm))).code).toBe("E_DEVICE_OFFLINE");
    expect(agent.commands).toHaveLength(0);
  });

  it("never lets a device's 401 pass for the viewer's own session ending", async () => {
    agent.answer = () => ({ ok: false, error: { code: "E_UNAUTHORIZED", message: "camera password wrong" } });
    const err = await failure(stack.relay.send(agent.id, arm));
    expect(err.code).toBe("E_INTERNAL");
    expect(err.message).toBe("camera password wrong");
  });

  it("matches results by device and request id", async () => {
    const other = await stack.agent();
    agent.answer = () => ({ never: true });
    const pending = failure(stack.relay.send(agent.id, arm, { requestId: "shared-id", timeoutMs: 800 }));
    await waitFor(() => agent.commands.length === 1, 5000, "command at the agent");
    await other.publishResult("shared-id", { ok: true, data: "impostor" });
    expect((await pending).code).toBe("E_TIMEOUT");
  });

  it("fails commands still waiting when it is closed", async () => {
    agent.answer = () => ({ never: true });
    const relay = new CommandRelay({
      config: stack.app.config,
      log: stack.app.rendezvous.log,
      clock: { now: () => clock },
      presence: stack.presence,
    });
    await relay.start(stack.broker);
    const pending = failure(relay.send(agent.id, arm, { timeoutMs: 30_000 }));
    await waitFor(() => agent.commands.length === 1, 5000, "command at the agent");
    await relay.close();
    expect((await pending).code).toBe("E_DEVICE_OFFLINE");
  });
});
