/**
 * Requests published to devices over MQTT whose reply comes back on another topic: each waits
 * under a key (device id + request or session id, so another device answering with the same id
 * settles nothing) until its reply, a failure, or a timeout. Shared by the command relay and the
 * WebRTC signalling relay.
 */
export class ReplyWaiters<T> {
  readonly #waiting = new Map<string, { settle(value: T): void; fail(err: Error): void }>();

  has(key: string): boolean {
    return this.#waiting.has(key);
  }

  /**
   * Register `key`, then `publish` (registered first, so even an instant reply is caught); resolves
   * with the reply or "timeout" after `timeoutMs`, rejects when publishing or {@link fail} does.
   */
  wait(key: string, timeoutMs: number, publish: () => Promise<unknown>): Promise<T | "timeout"> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.#waiting.delete(key);
      };
      const timer = setTimeout(() => {
        finish();
        resolve("timeout");
      }, timeoutMs);
      this.#waiting.set(key, {
        settle: (value) => {
          finish();
          resolve(value);
        },
        fail: (err) => {
          finish();
          reject(err);
        },
      });
      publish().catch((err: unknown) => {
        finish();
        reject(err);
      });
    });
  }

  /** Deliver the reply for `key`; false when nothing waits for it (late, repeated or not ours). */
  settle(key: string, value: T): boolean {
    const waiter = this.#waiting.get(key);
    waiter?.settle(value);
    return waiter !== undefined;
  }

  /** Fail the request waiting under `key`; false when there is none. */
  fail(key: string, err: Error): boolean {
    const waiter = this.#waiting.get(key);
    waiter?.fail(err);
    return waiter !== undefined;
  }

  /** Fail every request still waiting (shutting down). */
  failAll(err: Error): void {
    for (const key of [...this.#waiting.keys()]) this.fail(key, err);
  }
}
