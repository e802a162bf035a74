// A keyed work queue as controllers use one: a key is handled by one worker at a time; a key added while
// it is being handled is handled once more afterwards (however many times it was added); failures are
// retried with a growing delay, a bounded number of times.

export interface WorkQueueOptions {
  /** Keys handled at once (different keys only); default 4. */
  concurrency?: number;
  /** Retries after a failed handling; default 5 (as Skupper's event processor). */
  maxRetries?: number;
  /** First retry delay, doubled for each further retry; default 100 ms. */
  retryDelayMs?: number;
  /** Told about each failure; `willRetry` is false when the key is given up. */
  onError?: (key: string, err: unknown, willRetry: boolean) => void;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(
    private readonly handler: (key: string) => Promise<void>,
    private readonly options: WorkQueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

  /** Keys waiting or being handled. */
  get size(): number {
    return this.pending.size + this.running.size;
  }

  /** Resolves when nothing is pending or running (retries scheduled for later do not count). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking keys, drops pending ones and scheduled retries, waits for running handlers. */
  async shutDown(): Promise<void> {
    this.shuttingDown = true;
    this.pending.clear();
    this.dirty.clear();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await this.idle();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    for (const key of this.pending) {
      if (this.running.size >= concurrency) break;
      this.pending.delete(key);
      this.running.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (err) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      const willRetry = !this.shuttingDown && failures <= (this.options.maxRetries ?? 5);
      this.options.onError?.(key, err, willRetry);
      if (willRetry) {
        this.failures.set(key, failures);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.add(key);
        }, (this.options.retryDelayMs ?? 100) * 2 ** (failures - 1));
        this.retryTimers.add(timer);
      } else {
        this.failures.delete(key);
      }
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key) && !this.shuttingDown) this.pending.add(key);
      this.pump();
      if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
