// Suite runs inside the test's own process, one after another (the suite's worker state is per process),
// each handing the support library the first run loaded to the next: a run then costs its scenarios, not
// a process start and a reload of every step module. The tests of test/features/ share it.
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { Side } from '../../adapters/contract.ts';
import { runSuite } from '../../cli/run.ts';
import type { RunResult } from '../../reports/results.ts';

export interface InProcessRun {
  side: Side;
  /** the `--impl` value */
  impl: string;
  requirements: string[];
  tags?: string;
  reportDir: string;
  timeoutSeconds: number;
}

let support: ISupportCodeLibrary | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs the suite in this process once the runs before have ended; the reference and every broken one finish their work before apply() returns, so no quiet period. */
export function runInProcess(run: InProcessRun): Promise<{ result: RunResult; exitCode: number }> {
  const next = queue.then(async () => {
    const out = await runSuite({ ...run, implOptions: {}, quietMs: 0, parallel: 0, progress: false, support });
    support = out.support;
    return out;
  });
  queue = next.catch(() => undefined);
  return next;
}
