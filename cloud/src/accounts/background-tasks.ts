import type { Logger } from "@homecam/shared/node";

/**
 * Work that must not delay the response (sending mail: an SMTP round trip would let response
 * times tell whether an account exists). Failures are logged; `idle()` waits for everything
 * started so far (shutdown, tests).
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(what: string, task: () => Promise<void>): void {
    const p = Promise.resolve()
      .then(task)
      .catch((err: unknown) => this.log.error({ err, task: what }, "background task failed"))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
