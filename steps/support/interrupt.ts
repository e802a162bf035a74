// Ctrl-C during a run (docs/report-format.md, "An interrupted run"). The first SIGINT or SIGTERM
// interrupts: no new scenario starts (hooks.ts reports each one left not run), the calls into the
// implementation in flight (bounded.ts) and the suite's waits (judging/) give up at once, and the run
// ends as usual — AfterAll closes what it opened, the reports are written, the exit code is 130. A second
// signal ends the CLI at once, without reports.
//
// One process serial; with --parallel, a coordinator (the CLI) and cucumber's worker processes, each with
// its own implementation. A terminal's Ctrl-C reaches all of them (the foreground process group): each
// worker handles its own (listenInWorker), from its first moment: while the CLI runs the suite, the
// processes it forks (cucumber's workers) preload this module, which listens when it finds itself in a
// worker (inWorker). Were it loaded with the step files only, seconds later, a Ctrl-C would kill a worker
// still starting. (Other node processes forked meanwhile, an isolated implementation's, preload it too,
// and it does nothing there.) A signal to the coordinator alone (`kill -INT <pid>`) is passed on by it
// (handleInterrupts): SIGURG to each worker, a signal whose default action is to be ignored, sent again
// every 200 ms until the run ends, so that a worker forked meanwhile hears it too.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { INTERRUPTED } from '../../reports/results.ts';

/** The exit code of an interrupted run: the shell's for a process ended by SIGINT (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** How a coordinator passes the interruption on to its workers (ignored by a process that does not listen). */
export const WORKER_SIGNAL: NodeJS.Signals = 'SIGURG';

/** How often the coordinator passes it on again (to workers that were still starting). */
const FORWARD_EVERY_MS = 200;

/** A call or a wait given up because the run was interrupted. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Whether this process's run has been interrupted, and what is waiting to hear of it. */
export class Interruption {
  /** The signal that interrupted the run, or undefined. */
  by: NodeJS.Signals | undefined;
  private readonly listeners = new Set<() => void>();

  get interrupted(): boolean {
    return this.by !== undefined;
  }

  /** Why what was left was not run: INTERRUPTED. */
  readonly reason = INTERRUPTED;

  /** Interrupts the run; false when it already was. */
  interrupt(signal: NodeJS.Signals = 'SIGINT'): boolean {
    if (this.interrupted) return false;
    this.by = signal;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
    return true;
  }

  /** Calls `listener` once, when the run is interrupted (at once if it is); returns how to stop listening. */
  onInterrupt(listener: () => void): () => void {
    if (this.interrupted) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The error a call or a wait gives up with: "<what> was given up: the run was interrupted (Ctrl-C)". */
  error(what: string): InterruptedError {
    return new InterruptedError(`${what} was given up: the run was ${this.reason}`);
  }

  /** `promise`, unless the run is interrupted first: then an InterruptedError (the promise runs on, unheard). */
  race<T>(what: string, promise: Promise<T>): Promise<T> {
    if (this.interrupted) {
      promise.catch(() => undefined);
      return Promise.reject(this.error(what));
    }
    return new Promise<T>((resolve, reject) => {
      const stop = this.onInterrupt(() => {
        promise.catch(() => undefined);
        reject(this.error(what));
      });
      promise.then(
        (v) => {
          stop();
          resolve(v);
        },
        (e: unknown) => {
          stop();
          reject(e);
        },
      );
    });
  }

  /** Waits `ms`, or rejects with InterruptedError as soon as the run is interrupted. */
  pause(ms: number, what = 'a wait'): Promise<void> {
    if (this.interrupted) return Promise.reject(this.error(what));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        resolve();
      }, Math.max(0, ms));
      const stop = this.onInterrupt(() => {
        clearTimeout(timer);
        reject(this.error(what));
      });
    });
  }

  /** A new run (the CLI's, before it starts): not interrupted. */
  reset(): void {
    this.by = undefined;
    this.listeners.clear();
  }
}

/** This process's run. */
export const interruption = new Interruption();

let listening = false;

/**
 * In a cucumber worker process (hooks.ts calls it when CUCUMBER_WORKER_ID is set): SIGINT, SIGTERM and
 * the coordinator's WORKER_SIGNAL interrupt this worker's run; the worker then finishes as usual when the
 * coordinator says so. Should the coordinator end without it (a second Ctrl-C), the worker ends too.
 */
export function listenInWorker(): void {
  if (listening) return;
  listening = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => interruption.interrupt(signal));
  process.on(WORKER_SIGNAL, () => interruption.interrupt('SIGINT'));
  process.on('disconnect', () => process.exit(INTERRUPTED_EXIT_CODE));
}

/** Whether this process is a cucumber worker (not another process forked by one: those inherit its env). */
export function inWorker(): boolean {
  return process.env.CUCUMBER_WORKER_ID !== undefined && /[\\/]run_worker\.[cm]?js$/.test(process.argv[1] ?? '');
}

// a cucumber worker, whether this module was preloaded (handleInterrupts) or loaded with the steps
if (inWorker()) listenInWorker();

export interface InterruptHandling {
  /** Told of the first signal (to say what happens now). */
  onFirst?(signal: NodeJS.Signals): void;
  /** Told of the second, just before the process exits. */
  onSecond?(signal: NodeJS.Signals): void;
}

/**
 * For the CLI while it runs the suite: the first SIGINT or SIGTERM interrupts the run (and is passed on
 * to cucumber's workers), a second exits at once with 130. Returns how to stop listening.
 */
export function handleInterrupts(handling: InterruptHandling = {}): () => void {
  // the workers cucumber forks from now on preload this module (fork() takes process.execArgv when it forks)
  const preload = ['--import', import.meta.url];
  process.execArgv.push(...preload);
  let forwarding: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruption.interrupt(signal)) {
      handling.onFirst?.(signal);
      forwardToWorkers();
      forwarding = setInterval(forwardToWorkers, FORWARD_EVERY_MS);
      forwarding.unref();
      return;
    }
    handling.onSecond?.(signal);
    // the workers end on their own once this process has gone (listenInWorker)
    process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    const at = process.execArgv.lastIndexOf(preload[1]);
    if (at > 0 && process.execArgv[at - 1] === preload[0]) process.execArgv.splice(at - 1, 2);
    clearInterval(forwarding);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Passes the interruption on to this process's cucumber workers, if it has any. */
export function forwardToWorkers(): void {
  for (const pid of cucumberWorkers(process.pid)) {
    try {
      process.kill(pid, WORKER_SIGNAL);
    } catch {
      // gone already
    }
  }
}

/** The pids of `parent`'s children that are cucumber workers (run_worker.js). */
export function cucumberWorkers(parent: number): number[] {
  return childProcesses(parent)
    .filter((c) => /[\\/]runtime[\\/]parallel[\\/]run_worker\.[cm]?js\b/.test(c.args))
    .map((c) => c.pid);
}

/** `parent`'s children with their command lines: from /proc on Linux, from ps elsewhere. */
function childProcesses(parent: number): { pid: number; args: string }[] {
  try {
    const pids = readdirSync(`/proc/${parent}/task`).flatMap((task) =>
      readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
    return pids.flatMap((pid) => {
      try {
        return [{ pid, args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') }];
      } catch {
        return [];
      }
    });
  } catch {
    // no /proc (macOS, the BSDs): ps, which every Unix has
  }
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === parent)
      .map((m) => ({ pid: Number(m[1]), args: m[3] }));
  } catch {
    return [];
  }
}
