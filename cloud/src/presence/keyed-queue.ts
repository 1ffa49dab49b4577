/**
 * Runs async jobs one after another per key (jobs of different keys run concurrently). Presence
 * uses one key per device, so a device's "online" and a quickly following "offline" are written to
 * the database in the order they arrived, never reordered by concurrent queries.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Queue `job` behind the jobs of `key`; resolves or rejects with the job's own outcome. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(job);
    // The chain goes on whether a job failed or not; the failure belongs to the job's caller.
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    // Forget the key once its last job is done, so the map does not grow with every device seen.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every job queued so far (and any queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
