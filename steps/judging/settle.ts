// Waiting for an implementation's outcome. Implementations may redeem in the background, so the suite
// polls observe() until the token settles or a deadline passes; one that never settles fails with what
// was last observed, never hangs the run. An implementation that reports its changes (waitForChange)
// is observed at each change instead of on a timer. Each call has its bound (steps/support/bounded.ts);
// once the implementation has stopped answering, or the run is interrupted (Ctrl-C), the wait ends at once.
import type { Implementation, Observation, Site } from '../../adapters/contract.ts';
import { tokenOutcome, type Outcome } from '../../model/conditions.ts';
import { toYaml, type AccessToken } from '../../model/resources.ts';
import { bounded, CALL_BOUNDS_MS, CallTimeoutError, NotAnsweringError } from '../support/bounded.ts';
import { InterruptedError, interruption } from '../support/interrupt.ts';

/** Errors that end a wait at once: the implementation stopped answering, or the run was interrupted. */
function endsTheWait(e: unknown): boolean {
  return e instanceof NotAnsweringError || e instanceof InterruptedError;
}

/** A token's status as a comparable string: a change means the implementation acted. */
export function statusFingerprint(token: AccessToken | undefined): string {
  return JSON.stringify(token?.status ?? null);
}

export class SettleTimeoutError extends Error {
  override name = 'SettleTimeoutError';
}

export interface SettleOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** The status fingerprint before the action; a settled status must differ from it, unless quietMs passed. */
  changedFrom?: string;
  /** When the action happened (performance.now()). */
  since?: number;
  /**
   * How long after the action an unchanged settled status counts as the answer. 0 suits implementations
   * that finish their work before apply()/resync() return.
   */
  quietMs?: number;
  /**
   * What the step will accept. An unchanged status it would not accept is one a correct implementation
   * must still change, so it counts as the answer only after reactionMs: a busy implementation (a
   * controller on a loaded cluster) is judged on its reaction, not on the status it had before it
   * reacted. Without it, every unchanged status counts after quietMs.
   */
  wanted?: (token: AccessToken) => boolean;
  /** How long after the action an unchanged status `wanted` refuses counts as the answer; default quietMs. */
  reactionMs?: number;
  pollMs?: number;
  /** Redacts what goes into error messages. */
  redact?: (text: string) => string;
}

/**
 * How many quiet periods an implementation gets to change a status the step would not accept (2 s at the
 * default 250 ms). A correct implementation answers with a change, so this costs it nothing; only one that
 * never changes the status waits it out. Measured on 2 cores, the Kubernetes reference controller with 8
 * workers: median reaction 105 ms, 90th percentile 350 ms, slowest 1.02 s (a resynced or edited token).
 */
export const REACTION_QUIET_PERIODS = 8;

export interface Settled {
  token: AccessToken;
  outcome: Exclude<Outcome, 'pending'>;
  observation: Observation;
  /**
   * Set when the status was still the one from before the action and counted as the answer only because
   * this long (ms) had passed since the action: evidence for a step that then refuses it.
   */
  unchangedForMs?: number;
}

/** A step's check of a settled token: returns when it accepts the token, throws an AssertionError when not. */
export type Check = (settled: Pick<Settled, 'token' | 'outcome'>) => void;

/** `check` as what the step will accept (SettleOptions.wanted): a settled token it does not throw on. */
export function accepts(check: Check): (token: AccessToken) => boolean {
  return (token) => {
    const outcome = tokenOutcome(token);
    if (outcome === 'pending') return false;
    try {
      check({ token, outcome });
      return true;
    } catch {
      return false;
    }
  };
}

export function describeToken(name: string, token: AccessToken | undefined): string {
  if (!token) return `no AccessToken named "${name}" was observed`;
  return token.status ? `status of "${name}":\n${toYaml(token.status).trimEnd()}` : `AccessToken "${name}" has no status`;
}

/**
 * Longest wait on waitForChange() before observing again anyway: a change that came between observe()
 * and waitForChange() is then seen this late at worst, as with polling.
 */
export const CHANGE_WAIT_CAP_MS = 50;

/**
 * Pauses until the implementation reports a change (at most `ms`), or for `ms` when it reports none.
 * Waking at the change, the next observe() sees the state that change made: the first settled status an
 * action produced, even when the implementation writes another a few milliseconds later (a Kubernetes
 * controller's extra attempt after its own status write).
 */
async function pause(impl: Implementation, site: Site, ms: number): Promise<void> {
  if (ms <= 0) return;
  if (impl.waitForChange) {
    try {
      await bounded('waitForChange()', ms + CALL_BOUNDS_MS.waitForChangeGrace, () => impl.waitForChange!(site, ms));
      return;
    } catch (e) {
      if (endsTheWait(e)) throw e;
      // fall back to the timer
    }
  }
  await interruption.pause(ms, 'the wait for a change');
}

/** Polls until the named token's outcome is settled (see SettleOptions), or throws SettleTimeoutError. */
export async function waitForSettledToken(impl: Implementation, site: Site, name: string, options: SettleOptions): Promise<Settled> {
  const start = options.since ?? performance.now();
  const deadline = performance.now() + options.timeoutMs;
  const quietMs = options.quietMs ?? 0;
  const reactionMs = Math.max(quietMs, options.reactionMs ?? quietMs);
  // how long after the action the last observed token, unchanged, counts as the answer
  let unchangedCountsAfter = quietMs;
  let pollMs = options.pollMs ?? 2;
  let last: Observation | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await bounded('observe()', CALL_BOUNDS_MS.observe, () => impl.observe(site));
      lastError = undefined;
      const token = last.accessTokens.find((t) => t.metadata?.name === name);
      const outcome = tokenOutcome(token);
      if (token && outcome !== 'pending') {
        const changed = options.changedFrom === undefined || statusFingerprint(token) !== options.changedFrom;
        if (changed) return { token, outcome, observation: last };
        unchangedCountsAfter = options.wanted && !options.wanted(token) ? reactionMs : quietMs;
        const unchangedForMs = performance.now() - start;
        if (unchangedForMs >= unchangedCountsAfter) return { token, outcome, observation: last, unchangedForMs: Math.round(unchangedForMs) };
      }
    } catch (e) {
      if (endsTheWait(e)) throw e;
      lastError = e;
    }
    if (performance.now() >= deadline) {
      const token = last?.accessTokens.find((t) => t.metadata?.name === name);
      const what = lastError instanceof CallTimeoutError ? lastError.message : lastError ? `observe() failed: ${(lastError as Error).message}` : describeToken(name, token);
      const text = `AccessToken "${name}" did not settle within ${options.timeoutMs} ms; last observed ${what}`;
      throw new SettleTimeoutError(options.redact ? options.redact(text) : text);
    }
    if (impl.waitForChange) {
      // wake at the next change, at the deadline, or when an unchanged status starts to count
      const now = performance.now();
      const quietEnds = start + unchangedCountsAfter - now;
      await pause(impl, site, Math.min(deadline - now, quietEnds > 0 ? quietEnds : Infinity, CHANGE_WAIT_CAP_MS));
    } else {
      await interruption.pause(pollMs, `the wait for AccessToken "${name}" to settle`);
      pollMs = Math.min(pollMs * 2, 50);
    }
  }
}

/** Waits out the quiet period after an action, then observes once (for "nothing else happened" checks). */
export async function observeAfterQuiet(impl: Implementation, site: Site, since: number, quietMs: number): Promise<Observation> {
  const remaining = since + quietMs - performance.now();
  if (remaining > 0) await interruption.pause(remaining, 'the quiet period');
  return bounded('observe()', CALL_BOUNDS_MS.observe, () => impl.observe(site));
}
