// The deadline every probe ends by: the first outcome wins, whether the probe's own (an answer, an error)
// or the timed-out one, and what the probe opened is closed once, before anyone sees the outcome.

/** What a probe opened, closed once with the outcome that ended it (a probe may keep what it opened on success). */
export interface Closable<T> {
  close(outcome: T): void;
}

/**
 * Runs a probe and resolves with its first outcome, or with `timedOut()` after `timeoutMs`. `run` starts
 * the probe, gets `finish` to report outcomes with (only the first counts) and returns what to close. The
 * handle's `close` is called exactly once, with the winning outcome, before the promise resolves; when
 * `finish` is called while `run` is still running, that happens as soon as `run` returns, and no timer is
 * started. The deadline starts when `run` returns. Never rejects unless `run` throws.
 */
export function withDeadline<T>(timeoutMs: number, timedOut: () => T, run: (finish: (outcome: T) => void) => Closable<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    let first: { outcome: T } | undefined;
    let handle: Closable<T> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const end = (outcome: T, closable: Closable<T>) => {
      clearTimeout(timer);
      closable.close(outcome);
      resolve(outcome);
    };
    const finish = (outcome: T) => {
      if (first) return;
      first = { outcome };
      // finished from inside `run`: there is nothing to close yet; ended below, once `run` has returned
      if (handle) end(outcome, handle);
    };
    handle = run(finish);
    if (first) end(first.outcome, handle);
    else timer = setTimeout(() => finish(timedOut()), timeoutMs);
  });
}
