// A crashing implementation cannot take the run down (issue 10, item 4): a module given by path runs in a
// process of its own, so its process.exit(3) inside apply() (applyGrant() on the grant-service side)
// fails the scenarios it happens in, named, and the run goes on to its verdict: exit 1, every report
// written. Nothing of the run is left running, and no temporary directory it made is left behind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { collect, REPOSITORY_ROOT, spawnCli } from '../../harness/cli.ts';
import { groupGone } from '../../harness/process-groups.ts';
import type { ConformanceReport } from '../../reports/yaml-report.ts';

const FIXTURES = join(REPOSITORY_ROOT, 'test', 'fixtures', 'crashing');
const REPORTS = ['index.html', 'report.yaml', 'junit.xml', 'summary.md'];
/** Far above what a run takes (about 6 s): only a run that hangs reaches it. */
const SAFETY_MS = 60_000;
/** tsx's transform cache, made in the temp dir by tsx itself (not the suite's): shared, not counted. */
const TSX_CACHE = `tsx-${process.geteuid?.() ?? 0}`;

async function run(t: { after(fn: () => void): void }, args: string[]) {
  const reportDir = mkdtempSync(join(tmpdir(), 'atc-crashing-'));
  // the run's own temp dir, to see what it leaves there
  const runTmp = mkdtempSync(join(tmpdir(), 'atc-crashing-tmp-'));
  t.after(() => {
    rmSync(reportDir, { recursive: true, force: true });
    rmSync(runTmp, { recursive: true, force: true });
  });
  if (existsSync(join(tmpdir(), TSX_CACHE))) symlinkSync(join(tmpdir(), TSX_CACHE), join(runTmp, TSX_CACHE));
  const child = spawnCli(['run', ...args, '--report-dir', reportDir, '--quiet'], { env: { NO_COLOR: '1', TMPDIR: runTmp } });
  const pgid = child.pid!;
  const result = await collect(child, { timeoutMs: SAFETY_MS });
  // the command, its cucumber workers, the implementation's processes, tsx's esbuild service: all gone
  assert.ok(await groupGone(pgid, 10_000), 'a process of the run is still running after it ended');
  const leftovers = readdirSync(runTmp).filter((e) => e !== TSX_CACHE);
  return { ...result, reportDir, leftovers };
}

function checkReports(r: Awaited<ReturnType<typeof run>>, crash: string, requirements: string[]): void {
  assert.equal(r.timedOut, false, 'the run was killed by the safety net');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  for (const f of REPORTS) assert.ok(existsSync(join(r.reportDir, f)), `${f} was not written`);
  assert.deepEqual(r.leftovers, [], 'the run left temporary files behind');

  // the verdict, and the crash named where a failure's message is kept
  assert.match(r.stdout, /Verdict: Not conformant/);
  assert.ok(r.stdout.includes(crash), r.stdout);
  const report = parse(readFileSync(join(r.reportDir, 'report.yaml'), 'utf8')) as ConformanceReport;
  assert.equal(report.result.verdict, 'Not conformant');
  assert.deepEqual([...report.failedRequirements].sort(), [...requirements].sort());
  assert.equal(report.scenarios.passed, 0);
  assert.equal(report.scenarios.failed, report.scenarios.total);
  assert.equal(report.result.stoppedAnswering, null, 'a crash is not a call that did not return');
  const escaped = crash.replace(/[()]/g, '\\$&').replace(/'/g, "(?:'|&apos;|&#39;|&#x27;)");
  for (const f of ['junit.xml', 'summary.md', 'index.html']) {
    assert.match(readFileSync(join(r.reportDir, f), 'utf8'), new RegExp(escaped), `${f} does not name the crash`);
  }
  // every scenario failed by the crash, one after another: the run went on after each
  const junit = readFileSync(join(r.reportDir, 'junit.xml'), 'utf8');
  assert.equal((junit.match(new RegExp(escaped, 'g')) ?? []).length >= report.scenarios.total, true, junit);
}

// the two runs mostly wait on their own processes: side by side
describe('implementations that crash', { concurrency: true }, () => {
  test('a redeemer whose apply() calls process.exit(3): every scenario fails naming it, the run ends with its reports, exit 1', async (t) => {
    const requirements = ['AT-TRUST-001', 'AT-REQ-003', 'AT-COND-002'];
    const r = await run(t, ['--impl', 'test/fixtures/crashing/exits-in-apply.mjs', '--tags', 'not @slow', ...requirements.flatMap((id) => ['--requirement', id])]);
    t.diagnostic(`${requirements.length} requirements against exits-in-apply: ${Math.round(r.wallMs)} ms`);
    checkReports(r, "the implementation's process ended during apply(): exit code 3", requirements);
  });

  test('a grant service whose applyGrant() calls process.exit(3): the same', async (t) => {
    const requirements = ['AT-ISSUE-001', 'AT-GRANT-003'];
    const r = await run(t, ['--side', 'grant-service', '--impl', join(FIXTURES, 'exits-in-apply-grant.mjs'), '--tags', 'not @slow', ...requirements.flatMap((id) => ['--requirement', id])]);
    t.diagnostic(`${requirements.length} requirements against exits-in-apply-grant: ${Math.round(r.wallMs)} ms`);
    checkReports(r, "the implementation's process ended during applyGrant(): exit code 3", requirements);
  });
});
