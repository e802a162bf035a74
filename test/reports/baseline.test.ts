// The expected-failures baseline through the command line: a listed failure passes the gate and shows as
// expected; the same failure without the baseline fails it; a listed requirement that passes is reported
// so the list can shrink; an ID the catalogue does not have is a configuration error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { htmlMatrix, junitSummary, read, readReportYaml, runCli, tempDir, writeTemp, type CliRun } from './support.ts';

const dir = tempDir();
const baseline = writeTemp(dir, 'expected-failures.yaml', '- id: AT-REQ-001\n  reason: http URLs are still accepted\n  link: https://example.test/issues/7\n');
const unknown = writeTemp(dir, 'unknown.yaml', '- id: AT-REQ-001\n  reason: r\n- id: AT-REQ-404\n  reason: no such rule\n');
// a bundled broken implementation that sends codes to http:// URLs: AT-REQ-001 (MUST) fails
const broken = ['run', '--impl', 'broken/allows-http', '--requirement', 'AT-REQ-001', '--quiet'];
const runs: Record<'withBaseline' | 'without' | 'unknownId' | 'nowPassing', CliRun> = {} as never;

before(async () => {
  [runs.withBaseline, runs.without, runs.unknownId, runs.nowPassing] = await Promise.all([
    runCli([...broken, '--baseline', baseline, '--report-dir', join(dir, 'with')]),
    runCli([...broken, '--report-dir', join(dir, 'without')]),
    runCli([...broken, '--baseline', unknown, '--report-dir', join(dir, 'unknown')]),
    runCli(['run', '--impl', 'reference', '--requirement', 'AT-REQ-001', '--baseline', baseline, '--report-dir', join(dir, 'fixed'), '--quiet']),
  ]);
});

describe('a non-conformant implementation with a baseline that lists its broken requirement', () => {
  test('exits 0', () => {
    assert.equal(runs.withBaseline.code, 0, runs.withBaseline.stdout + runs.withBaseline.stderr);
  });

  test('says expected failure, with the reason, on the console', () => {
    assert.match(runs.withBaseline.stdout, /EXPECTED AT-REQ-001 \(MUST\)/);
    assert.match(runs.withBaseline.stdout, /expected failure: http URLs are still accepted \(https:\/\/example.test\/issues\/7\)/);
  });

  test('shows expected failure in index.html, report.yaml and junit.xml', () => {
    const out = join(dir, 'with');
    assert.equal(htmlMatrix(read(out, 'index.html')).get('AT-REQ-001'), 'expected-failure');
    assert.match(read(out, 'index.html'), /Expected failure/);
    const report = readReportYaml(out);
    assert.deepEqual(report.expectedFailures, [{ id: 'AT-REQ-001', reason: 'http URLs are still accepted', link: 'https://example.test/issues/7' }]);
    assert.deepEqual(report.failedRequirements, []);
    assert.equal(report.result.verdict, 'Conformant with warnings');
    assert.equal(report.result.partial, true, 'only one rule ran');
    const junit = junitSummary(read(out, 'junit.xml'));
    assert.deepEqual({ tests: junit.tests, failures: junit.failures, skipped: junit.skipped }, { tests: 1, failures: 0, skipped: 1 });
    assert.match(junit.skippedMessages[0], /^expected failure \(baseline\) AT-REQ-001: http URLs are still accepted/);
  });
});

describe('the same implementation without the baseline', () => {
  test('exits 1 and reports the requirement failed', () => {
    assert.equal(runs.without.code, 1, runs.without.stderr);
    assert.match(runs.without.stdout, /FAILED AT-REQ-001 \(MUST\)/);
    const report = readReportYaml(join(dir, 'without'));
    assert.deepEqual(report.failedRequirements, ['AT-REQ-001']);
    assert.equal(report.result.verdict, 'Not conformant');
    assert.equal(junitSummary(read(join(dir, 'without'), 'junit.xml')).failures, 1);
  });
});

describe('a baseline with an ID that is not in the catalogue', () => {
  test('exits 2 with one line that names the ID, and runs nothing', () => {
    assert.equal(runs.unknownId.code, 2);
    assert.equal(runs.unknownId.stdout, '');
    assert.deepEqual(runs.unknownId.stderr.trimEnd().split('\n').length, 1, runs.unknownId.stderr);
    assert.match(runs.unknownId.stderr, /AT-REQ-404 is not a requirement in the catalogue/);
    assert.ok(!existsSync(join(dir, 'unknown')));
  });
});

describe('a baseline entry whose requirement now passes', () => {
  test('is reported on the console and in the reports, and does not fail the gate', () => {
    assert.equal(runs.nowPassing.code, 0, runs.nowPassing.stderr);
    assert.match(runs.nowPassing.stdout, /NOW PASSING AT-REQ-001/);
    const out = join(dir, 'fixed');
    assert.deepEqual(readReportYaml(out).nowPassing, [{ id: 'AT-REQ-001', reason: 'http URLs are still accepted', link: 'https://example.test/issues/7' }]);
    const html = read(out, 'index.html');
    assert.equal(htmlMatrix(html).get('AT-REQ-001'), 'passed');
    assert.match(html, /Now passing/);
    assert.match(html, /listed in the baseline but passes now: remove it/);
  });
});
