// An implementation that stops answering ends the run promptly (issue 10, item 3): a module whose apply()
// and observe() never resolve is judged on a few scenarios, the rest are reported not run with the
// reason, in every report, exit 1; a module whose close() never returns still gets its reports written.
// Nothing is left running afterwards. Timing is the bench's business: the bounds here are a safety net.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { collect, REPOSITORY_ROOT, spawnCli } from '../../harness/cli.ts';
import { groupGone } from '../../harness/process-groups.ts';
import type { ConformanceReport } from '../../reports/yaml-report.ts';

const FIXTURES = join(REPOSITORY_ROOT, 'test', 'fixtures', 'hanging');
const REPORTS = ['index.html', 'report.yaml', 'junit.xml', 'cucumber.html', 'messages.ndjson', 'badge.svg'];
const REASON = 'the implementation stopped answering';
/** Far above what a run takes (about 30 s against never-answers): only a run that hangs reaches it. */
const SAFETY_MS = 90_000;

async function run(t: { after(fn: () => void): void }, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'atc-hanging-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawnCli(['run', ...args, '--report-dir', dir, '--quiet'], { env: { NO_COLOR: '1' } });
  const pgid = child.pid!;
  const result = await collect(child, { timeoutMs: SAFETY_MS + 30_000 });
  // the command, tsx's esbuild service and anything the implementation started: all gone
  assert.ok(await groupGone(pgid, 10_000), 'a process of the run is still running after it ended');
  return { ...result, dir };
}

// the two runs mostly wait: side by side
describe('implementations that stop answering', { concurrency: true }, () => {
test('an implementation whose apply() and observe() never return: the catalogue ends promptly, exit 1, the reason in every report', async (t) => {
  const r = await run(t, ['--impl', join(FIXTURES, 'never-answers.mjs')]);
  t.diagnostic(`whole catalogue against never-answers: ${Math.round(r.wallMs)} ms`);
  assert.equal(r.timedOut, false, 'the run was killed by the safety net');
  assert.ok(r.wallMs < SAFETY_MS, `the run took ${Math.round(r.wallMs)} ms`);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  for (const f of REPORTS) assert.ok(existsSync(join(r.dir, f)), `${f} was not written`);

  // the console
  assert.match(r.stdout, new RegExp(`NOT RUN \\d+ scenarios \\(\\d+ requirements\\): ${REASON}`));
  assert.match(r.stdout, /\d calls in a row did not return: /);
  assert.match(r.stdout, new RegExp(`Verdict: Not conformant \\(${REASON}`));

  // report.yaml
  const report = parse(readFileSync(join(r.dir, 'report.yaml'), 'utf8')) as ConformanceReport;
  assert.equal(report.result.verdict, 'Not conformant');
  const stopped = report.result.stoppedAnswering;
  assert.ok(stopped, 'result.stoppedAnswering is set');
  assert.equal(stopped.reason, REASON);
  assert.ok(stopped.scenariosNotRun > 0);
  assert.ok(stopped.requirementsNotRun.length > 0);
  assert.match(stopped.details[0], /^3 calls in a row did not return: .*observe\(\) within \d+ ms/);
  // nothing passed, and the rules that need no feature were either judged (failed) or not run
  assert.equal(report.summary.passed, 0);
  assert.equal(report.summary.failed + report.summary.warning + report.summary.unsupported + report.summary.skipped, report.summary.total);

  // index.html
  const html = readFileSync(join(r.dir, 'index.html'), 'utf8');
  assert.match(html, /<section class="callout stopped" id="stopped-answering"><b>Not run: the implementation stopped answering\.<\/b>/);
  assert.ok((html.match(/not run: the implementation stopped answering/g) ?? []).length >= stopped.scenariosNotRun);
  // the evidence of the scenario that hung says why it has no observation
  assert.match(html, /observe\(\) (did not return within \d+ ms|was not called: the implementation stopped answering)/);

  // junit.xml
  const junit = readFileSync(join(r.dir, 'junit.xml'), 'utf8');
  assert.equal((junit.match(/<skipped message="not run: the implementation stopped answering"\/>/g) ?? []).length, stopped.scenariosNotRun);
  assert.match(junit, /<property name="accesstoken-conformance.stopped-answering" value="the implementation stopped answering: 3 calls in a row/);
});

test('an implementation whose close() never returns: the run still ends and writes its reports', async (t) => {
  const r = await run(t, ['--impl', join(FIXTURES, 'close-hangs.mjs'), '--requirement', 'AT-TRUST-001']);
  t.diagnostic(`one scenario against close-hangs: ${Math.round(r.wallMs)} ms`);
  assert.equal(r.timedOut, false, 'the run was killed by the safety net');
  assert.ok(r.wallMs < SAFETY_MS, `the run took ${Math.round(r.wallMs)} ms`);
  // close() is past the last scenario: the verdict is the scenarios'
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const f of REPORTS) assert.ok(existsSync(join(r.dir, f)), `${f} was not written`);
  assert.match(r.stderr, /the implementation's close\(\) did not return within \d+ ms/);
  const report = parse(readFileSync(join(r.dir, 'report.yaml'), 'utf8')) as ConformanceReport;
  assert.equal(report.result.stoppedAnswering, null);
});
});
