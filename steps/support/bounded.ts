// Every call into an implementation has a bound: one that does not return fails the scenario, not the run.
// An implementation whose calls time out STOPPED_AFTER times in a row has stopped answering: from then on
// the worker calls it no more (each call fails at once), and the hooks report its remaining scenarios
// not run (docs/report-format.md, "An implementation that stops answering"). Once the run is interrupted
// (Ctrl-C: interrupt.ts), a call is not made, and one in flight is given up at once, with InterruptedError.
import { InterruptedError, interruption, type Interruption } from './interrupt.ts';

/**
 * The bound of each kind of call that has one of its own. The actions (apply, resync, deleteSite, a grant
 * service's applyGrant and deleteGrant) and prepareSite are bounded by the settle timeout plus 5 s
 * (ConformanceWorld.callTimeoutMs): an implementation may redeem inside apply(), and a redemption may wait
 * out the redeemer's 10 s client timeout; a cluster's Site may take its time to become Ready.
 */
export const CALL_BOUNDS_MS = {
  /** observe(): reading what the implementation shows, nothing more. */
  observe: 5_000,
  /** The evidence of a failed scenario: observe() once more, after the scenario has ended. */
  evidence: 3_000,
  /** waitForChange(site, ms): this much longer than the wait it was asked for. */
  waitForChangeGrace: 5_000,
  /** close() at the end of the run (and after the CLI's preflight). */
  close: 10_000,
  /** close() of an implementation that has already stopped answering. */
  closeStopped: 2_000,
  /** create(): the module's default export, in the CLI's preflight (a worker's BeforeAll has 120 s). */
  create: 120_000,
} as const;

/** How many timed-out calls in a row mean the implementation stopped answering. */
export const STOPPED_AFTER = 3;

/** A call that did not return within its bound. */
export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
}

/** A call not made: the implementation had already stopped answering. */
export class NotAnsweringError extends Error {
  override name = 'NotAnsweringError';
}

/** Whether an implementation still answers: its calls that timed out in a row (one per process: a worker). */
export class Answering {
  private inARow: string[] = [];
  /** The calls that timed out in a row when the implementation was declared stopped, or undefined. */
  stoppedBy: string[] | undefined;
  /** Calls left running when their bound passed (or the run was interrupted): what they hold may keep the process alive. */
  abandoned = 0;

  get stopped(): boolean {
    return this.stoppedBy !== undefined;
  }

  /** "3 calls in a row did not return: observe() within 5000 ms, …", once stopped. */
  get detail(): string | undefined {
    return this.stoppedBy && `${this.stoppedBy.length} calls in a row did not return: ${this.stoppedBy.join(', ')}`;
  }

  answered(): void {
    this.inARow = [];
  }

  timedOut(what: string, ms: number): void {
    this.abandoned++;
    this.inARow.push(`${what} within ${ms} ms`);
    if (!this.stopped && this.inARow.length >= STOPPED_AFTER) this.stoppedBy = [...this.inARow];
  }

  /** A new run (a worker's BeforeAll): the implementation is answering until it is not. */
  reset(): void {
    this.inARow = [];
    this.stoppedBy = undefined;
  }
}

/** This process's implementation under test. */
export const answering = new Answering();

export interface BoundOptions {
  /** Default: this process's `answering`. */
  answering?: Answering;
  /**
   * Make the call even when the implementation stopped answering or the run was interrupted, and wait for
   * it (to its bound) even then (close(): it may still clean up).
   */
  evenIfStopped?: boolean;
  /** Default: this process's `interruption`. */
  interruption?: Interruption;
}

/**
 * Runs `call`; rejects with CallTimeoutError "<what> did not return within <ms> ms" when it takes longer,
 * and with NotAnsweringError, without calling, once the implementation has stopped answering. Once the
 * run is interrupted it rejects with InterruptedError: without calling, or at once for a call in flight
 * (unless evenIfStopped). A call that returns or throws (an answer) resets the count of timeouts in a
 * row; a bounded call nested in it that timed out does not, nor does one given up for an interruption.
 */
export async function bounded<T>(what: string, ms: number, call: () => Promise<T>, options: BoundOptions = {}): Promise<T> {
  const state = options.answering ?? answering;
  const run = options.interruption ?? interruption;
  if (state.stopped && !options.evenIfStopped) {
    throw new NotAnsweringError(`${what} was not called: the implementation stopped answering (${state.detail})`);
  }
  if (run.interrupted && !options.evenIfStopped) throw new InterruptedError(`${what} was not called: the run was ${run.reason}`);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let interrupted = false;
  let stopListening = () => undefined as unknown;
  try {
    const value = await Promise.race([
      Promise.resolve().then(call),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new CallTimeoutError(`${what} did not return within ${ms} ms`));
        }, ms);
        if (!options.evenIfStopped) {
          stopListening = run.onInterrupt(() => {
            interrupted = true;
            reject(run.error(what));
          });
        }
      }),
    ]);
    state.answered();
    return value;
  } catch (e) {
    if (interrupted) state.abandoned++;
    else if (timedOut) state.timedOut(what, ms);
    else if (!(e instanceof CallTimeoutError || e instanceof NotAnsweringError || e instanceof InterruptedError)) state.answered();
    throw e;
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}
