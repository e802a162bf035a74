// Runs the suite once, in a process of its own, and prints each requirement's outcome as JSON on the last
// line of stdout. discrimination.test.ts runs the slow runs (a grant service that never answers) this
// way, alongside its in-process runs. Not a test file: the runner picks only *.test.ts.
// usage: node --import tsx test/features/run-suite-child.ts '{"side":"grant-service","impl":"…","tags":"…","requirements":["AT-…"]}'
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Side } from '../../adapters/contract.ts';
import { runSuite } from '../../cli/run.ts';

export interface ChildRun {
  /** The side under test (default the redeemer). */
  side?: Side;
  impl: string;
  /** Seconds to wait for an outcome to settle (default 15). */
  timeoutSeconds?: number;
  tags?: string;
  requirements?: string[];
  implOptions?: Record<string, string>;
}

export interface ChildResult {
  exitCode: number;
  verdict: string;
  /** requirement ID → passed, failed, warning, not-run, … */
  requirements: Record<string, string>;
}

const run = JSON.parse(process.argv[2] ?? '{}') as ChildRun;
const reportDir = mkdtempSync(join(tmpdir(), 'accesstoken-conformance-child-'));
try {
  const { result, exitCode } = await runSuite({
    side: run.side ?? 'redeemer',
    impl: run.impl,
    implOptions: run.implOptions ?? {},
    tags: run.tags,
    requirements: run.requirements ?? [],
    reportDir,
    timeoutSeconds: run.timeoutSeconds ?? 15,
    // the reference and every broken implementation finish their work before apply() returns
    quietMs: 0,
    parallel: 0,
    progress: false,
  });
  const out: ChildResult = { exitCode, verdict: result.verdict, requirements: Object.fromEntries(result.requirements.map((r) => [r.id, r.result])) };
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
