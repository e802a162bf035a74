// The console's progress while a run goes on, fed by cucumber's message stream (cucumber's own progress
// formatter and its failure dump are not used: failures are shown once, by the summary, and the raw
// detail stays in the reports). On a terminal: one line rewritten in place, "scenarios done/total,
// failures so far, elapsed". Elsewhere (CI logs, pipes): one character per scenario, a newline at the end.
import type * as messages from '@cucumber/messages';

/** What the progress needs of a stream: a terminal says so with isTTY. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

// the worst step decides, as in reports/messages.ts: anything but passed or skipped is a failure
const FAILING = new Set(['FAILED', 'UNDEFINED', 'AMBIGUOUS', 'PENDING', 'UNKNOWN']);

/** One character per finished scenario when the output is not a terminal. */
export const MARKS = { passed: '.', failed: 'F', skipped: '-' } as const;

export function formatElapsed(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s - m * 60)).padStart(2, '0')} s`;
}

/** The terminal's line: scenarios done/total, failures so far, elapsed. */
export function progressLine(done: number, total: number, failed: number, elapsedMs: number): string {
  return `scenarios ${done}/${total}, ${failed} failed, ${formatElapsed(elapsedMs)}`;
}

export class Progress {
  private readonly tty: boolean;
  private readonly started: number;
  private readonly worst = new Map<string, 'passed' | 'failed' | 'skipped'>();
  private done = 0;
  private failed = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private finished = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
    /** How often the terminal's line is redrawn while nothing finishes (elapsed moves on); 0: never. */
    tickMs = 1000,
  ) {
    this.tty = stream.isTTY === true;
    this.started = now();
    if (this.tty) {
      this.draw();
      if (tickMs > 0) {
        this.timer = setInterval(() => this.draw(), tickMs);
        this.timer.unref();
      }
    }
  }

  readonly onMessage = (envelope: messages.Envelope): void => {
    if (this.finished) return;
    if (envelope.testCaseStarted) {
      this.worst.set(envelope.testCaseStarted.id, 'passed');
    } else if (envelope.testStepFinished) {
      const id = envelope.testStepFinished.testCaseStartedId;
      const status = envelope.testStepFinished.testStepResult.status;
      const soFar = this.worst.get(id) ?? 'passed';
      if (FAILING.has(status)) this.worst.set(id, 'failed');
      else if (status === 'SKIPPED' && soFar === 'passed') this.worst.set(id, 'skipped');
    } else if (envelope.testCaseFinished) {
      const id = envelope.testCaseFinished.testCaseStartedId;
      const outcome = this.worst.get(id) ?? 'passed';
      this.worst.delete(id);
      // a retried attempt counts only by its last try
      if (envelope.testCaseFinished.willBeRetried) return;
      this.done++;
      if (outcome === 'failed') this.failed++;
      if (this.tty) this.draw();
      else this.stream.write(MARKS[outcome]);
    }
  };

  /** Ends the progress: the terminal's line drawn a last time, and a newline. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    if (this.tty) this.draw();
    if (this.tty || this.done > 0) this.stream.write('\n');
  }

  private draw(): void {
    // carriage return, then erase to the end of the line: the line is rewritten in place
    this.stream.write(`\r\x1b[K${progressLine(this.done, this.total, this.failed, this.now() - this.started)}`);
  }
}
