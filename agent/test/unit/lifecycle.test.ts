import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ModuleRunner } from "../../src/lifecycle.js";
import type { AgentModule } from "../../src/module.js";

interface FakeOptions {
  failStart?: boolean;
  failStop?: boolean;
  hangStop?: boolean;
}

/** A module that records its calls in a shared journal. */
function fake(
  name: string,
  journal: string[],
  opts: FakeOptions = {},
): AgentModule & { signal?: AbortSignal } {
  const mod: AgentModule & { signal?: AbortSignal } = {
    name,
    async start(signal) {
      mod.signal = signal;
      journal.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} cannot start`);
    },
    async stop() {
      journal.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} cannot stop`);
      if (opts.hangStop) await new Promise(() => {});
    },
  };
  return mod;
}

function silentLog() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe("ModuleRunner", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts modules in the listed order and stops them in reverse", async () => {
    const journal: string[] = [];
    const runner = new ModuleRunner({
      modules: [fake("a", journal), fake("b", journal), fake("c", journal)],
      log: silentLog(),
    });
    await runner.start();
    expect(runner.status().map((s) => s.state)).toEqual(["running", "running", "running"]);
    await runner.stop();
    expect(journal).toEqual(["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
    expect(runner.status().map((s) => s.state)).toEqual(["stopped", "stopped", "stopped"]);
  });

  it("isolates a module whose start throws: reported, logged, never stopped, the rest keep running", async () => {
    const journal: string[] = [];
    const log = silentLog();
    const runner = new ModuleRunner({
      modules: [fake("a", journal), fake("b", journal, { failStart: true }), fake("c", journal)],
      log,
    });
    await runner.start();
    expect(runner.status()).toEqual([
      { name: "a", state: "running" },
      { name: "b", state: "failed", error: "b cannot start" },
      { name: "c", state: "running" },
    ]);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ module: "b" }), expect.any(String));
    await runner.stop();
    expect(journal).toEqual(["start a", "start b", "start c", "stop c", "stop a"]);
    expect(runner.status()[1]).toEqual({ name: "b", state: "failed", error: "b cannot start" });
  });

  it("keeps stopping the others when one stop throws", async () => {
    const journal: string[] = [];
    const log = silentLog();
    const runner = new ModuleRunner({
      modules: [fake("a", journal), fake("b", journal, { failStop: true }), fake("c", journal)],
      log,
    });
    await runner.start();
    await runner.stop();
    expect(journal.slice(3)).toEqual(["stop c", "stop b", "stop a"]);
    expect(runner.status().map((s) => s.state)).toEqual(["stopped", "failed", "stopped"]);
    expect(log.error).toHaveBeenCalledTimes(1);
  });

  it("abandons a stop that hangs past the default 10 s timeout and stops the rest", async () => {
    const journal: string[] = [];
    const runner = new ModuleRunner({
      modules: [fake("a", journal), fake("b", journal, { hangStop: true }), fake("c", journal)],
      log: silentLog(),
    });
    await runner.start();
    let done = false;
    const stopped = runner.stop().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(done).toBe(false);
    expect(journal.slice(3)).toEqual(["stop c", "stop b"]);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(journal.slice(3)).toEqual(["stop c", "stop b", "stop a"]);
    expect(runner.status()[1]).toEqual({
      name: "b",
      state: "failed",
      error: "stop timed out after 10000 ms",
    });
  });

  it("honours an injected stop timeout", async () => {
    const journal: string[] = [];
    const runner = new ModuleRunner({
      modules: [fake("a", journal, { hangStop: true })],
      log: silentLog(),
      stopTimeoutMs: 50,
    });
    await runner.start();
    const stopped = runner.stop();
    await vi.advanceTimersByTimeAsync(50);
    await stopped;
    expect(runner.status()[0]?.state).toBe("failed");
  });

  it("makes stop() idempotent and aborts the signal given to start", async () => {
    const journal: string[] = [];
    const a = fake("a", journal);
    const runner = new ModuleRunner({ modules: [a], log: silentLog() });
    await runner.start();
    expect(a.signal?.aborted).toBe(false);
    const first = runner.stop();
    const second = runner.stop();
    expect(second).toBe(first);
    await first;
    await runner.stop();
    expect(a.signal?.aborted).toBe(true);
    expect(journal).toEqual(["start a", "stop a"]);
  });

  it("starts nothing more once stop() is called during start-up, and stops what did start", async () => {
    const journal: string[] = [];
    let release: () => void = () => {};
    const slow: AgentModule = {
      name: "slow",
      start: (signal) =>
        new Promise<void>((resolve) => {
          release = resolve;
          signal.addEventListener("abort", () => resolve());
        }),
      stop: async () => {
        journal.push("stop slow");
      },
    };
    const runner = new ModuleRunner({ modules: [slow, fake("late", journal)], log: silentLog() });
    const started = runner.start();
    await runner.stop();
    await started;
    release();
    expect(journal).toEqual(["stop slow"]);
    expect(runner.status()).toEqual([
      { name: "slow", state: "stopped" },
      { name: "late", state: "stopped" },
    ]);
  });

  it("refuses a second start", async () => {
    const runner = new ModuleRunner({ modules: [], log: silentLog() });
    await runner.start();
    await expect(runner.start()).rejects.toThrow(/only once/);
  });
});
