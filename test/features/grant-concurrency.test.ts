// The concurrency rules are a promise, not a chance (issue 8, acceptance): they catch a grant service that
// checks a grant's count and raises it without holding the limit (an await between the two) on every run,
// and they never fail the reference, whose check and increment are one synchronous stretch. Twenty runs
// of each, in this process (one loaded support library), with only the concurrency rules selected.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../reports/results.ts';
import { runInProcess } from './in-process.ts';

/** Never more than k (MUST), exactly k (SHOULD): both under 50 concurrent redemptions, five rounds, k = 1 and 3. */
const CONCURRENCY_RULES = ['AT-LIMIT-002', 'AT-LIMIT-003'];
const RUNS = 20;
const RACY = 'broken/counts-without-holding-the-limit';

const reportDir = mkdtempSync(join(tmpdir(), 'accesstoken-conformance-concurrency-'));
after(() => rmSync(reportDir, { recursive: true, force: true }));

function run(impl: string): Promise<{ result: RunResult; exitCode: number }> {
  return runInProcess({ side: 'grant-service', impl, requirements: CONCURRENCY_RULES, reportDir, timeoutSeconds: 5 });
}

function concurrencyRequirements(result: RunResult) {
  return result.requirements.filter((r) => CONCURRENCY_RULES.includes(r.id));
}

function outcomes(result: RunResult): Record<string, string> {
  return Object.fromEntries(concurrencyRequirements(result).map((r) => [r.id, r.result]));
}

/** A miss names why: each scenario that did not pass, with its first failing step's message (a CI log is all there is to read). */
function miss(i: number, exitCode: number, result: RunResult): string {
  const why = concurrencyRequirements(result)
    .flatMap((r) => r.scenarioResults.filter((s) => s.status !== 'passed').map((s) => `${r.id} ${s.name}: ${s.status}${s.failure ? `, ${s.failure.step}: ${s.failure.message.slice(0, 300)}` : ''}${s.notRun ? `, ${s.notRun}` : ''}`));
  return [`run ${i}: exit ${exitCode}, ${JSON.stringify(outcomes(result))}`, ...why].join('\n  ');
}

describe(`the concurrency rules, ${RUNS} runs each`, () => {
  test(`never fail the reference grant service (${RUNS} runs out of ${RUNS} pass)`, async () => {
    const misses: string[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const { result, exitCode } = await run('reference');
      const seen = outcomes(result);
      if (exitCode !== 0 || Object.values(seen).some((r) => r !== 'passed')) misses.push(miss(i, exitCode, result));
    }
    assert.deepEqual(misses, []);
  });

  test(`catch ${RACY} on every run (${RUNS} runs out of ${RUNS} fail AT-LIMIT-002)`, async () => {
    const misses: string[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const { result, exitCode } = await run(RACY);
      const seen = outcomes(result);
      if (exitCode !== 1 || seen['AT-LIMIT-002'] !== 'failed' || seen['AT-LIMIT-003'] !== 'warning') misses.push(miss(i, exitCode, result));
    }
    assert.deepEqual(misses, []);
  });
});
