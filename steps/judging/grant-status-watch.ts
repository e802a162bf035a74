// Watching a number in a grant's status while something happens to it (status.redemptions during a burst),
// and judging the expiration time a grant service publishes.
import { interruption } from '../support/interrupt.ts';

/**
 * Runs `task` while sampling `sample` every `intervalMs` (each sample awaited before the next), and
 * samples once more after it ends: what a status showed while something happened to it.
 */
export async function sampleWhile<T, S>(task: Promise<T>, sample: () => Promise<S>, intervalMs = 5): Promise<{ result: T; samples: S[] }> {
  const samples: S[] = [];
  let running = true;
  let failure: unknown;
  const sampler = (async () => {
    while (running) {
      try {
        samples.push(await sample());
      } catch (e) {
        failure = e;
        return;
      }
      if (running) await interruption.pause(intervalMs, 'sampling the status');
    }
  })();
  let result: T;
  try {
    result = await task;
  } finally {
    running = false;
    await sampler;
  }
  if (failure) throw failure;
  samples.push(await sample());
  return { result, samples };
}

export interface CountWait {
  /** The count must come to at least this… */
  atLeast: number;
  /** …and never show more than this, at any sample. */
  atMost: number;
  timeoutMs: number;
  /** Wait this long before the first sample: a count the service raises late has then been raised. */
  quietMs?: number;
  intervalMs?: number;
}

export class CountError extends Error {
  override name = 'CountError';
}

/**
 * Samples a count until it lies in [atLeast, atMost]. Fails at once when a sample shows more than
 * atMost (the limit was passed), and with the last sample when the deadline passes. Absent counts as 0.
 */
export async function waitForCount(sample: () => Promise<number | undefined>, wait: CountWait, what = 'status.redemptions'): Promise<number> {
  const { atLeast, atMost, timeoutMs } = wait;
  const expected = atLeast === atMost ? `${atLeast}` : `between ${atLeast} and ${atMost}`;
  if (wait.quietMs) await interruption.pause(wait.quietMs, 'the quiet period');
  const deadline = performance.now() + timeoutMs;
  let pause = wait.intervalMs ?? 2;
  for (;;) {
    const count = (await sample()) ?? 0;
    if (count > atMost) throw new CountError(`expected ${what} to be ${expected}; the grant service shows ${count}, more than ${atMost}`);
    if (count >= atLeast) return count;
    if (performance.now() >= deadline) {
      throw new CountError(`expected ${what} to come to ${expected} within ${timeoutMs} ms; the grant service still shows ${count}`);
    }
    await interruption.pause(pause, `the wait for ${what}`);
    pause = Math.min(pause * 2, 50);
  }
}

/** Why an expiration time is not `windowMs` after processing (between `from` and `to`, ms since the epoch), or undefined. */
export function judgeExpirationTime(expirationTime: string | undefined, windowMs: number, from: number, to: number, toleranceMs: number): string | undefined {
  const window = describeDuration(windowMs);
  if (!expirationTime) return `expected status.expirationTime about ${window} after the grant was first processed; the status has none`;
  const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const at = Date.parse(expirationTime);
  if (!RFC3339.test(expirationTime) || Number.isNaN(at)) return `expected status.expirationTime to be an RFC 3339 time; the grant service wrote ${JSON.stringify(expirationTime)}`;
  // whole seconds: a time written without its fraction may be up to a second early
  const earliest = from + windowMs - 1000 - toleranceMs;
  const latest = to + windowMs + toleranceMs;
  if (at >= earliest && at <= latest) return undefined;
  return (
    `expected status.expirationTime about ${window} after the grant was first processed ` +
    `(between ${new Date(earliest).toISOString()} and ${new Date(latest).toISOString()}); ` +
    `the grant service wrote ${expirationTime}, ${describeDuration(at - from)} after the grant was applied`
  );
}

/** A duration in words: "15 minutes", "1 hour 30 minutes", "-2 seconds". */
export function describeDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [h && `${h} hour${h === 1 ? '' : 's'}`, m && `${m} minute${m === 1 ? '' : 's'}`, (s || (!h && !m)) && `${s} second${s === 1 ? '' : 's'}`].filter(Boolean);
  return sign + parts.join(' ');
}
