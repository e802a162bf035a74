// Whole runs, as CI runs them: the six report files, their counts agreeing with each other, and no token
// code or private key in any of them or on the console. Three runs at once: the reference, a
// non-conformant implementation that lies about failures (so failures carry transcripts), echoes codes and
// a private key into its messages, and records every code and key it held, so we know what to look for;
// and a broken grant service (`--side grant-service`), whose failures carry the grants it showed and the
// suite's exchanges with it, redemption answers with private keys among them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { everything, htmlMatrix, junitSummary, LEAKY, missingFiles, read, readReportYaml, runCli, secretShapes, tempDir, type CliRun } from './support.ts';

const dir = tempDir();
const referenceDir = join(dir, 'reference');
const leakyDir = join(dir, 'leaky');
const grantDir = join(dir, 'grant-service');
const recorded = join(dir, 'recorded.ndjson');
let reference: CliRun;
let leaky: CliRun;
let grant: CliRun;

before(async () => {
  [reference, leaky, grant] = await Promise.all([
    runCli(['run', '--report-dir', referenceDir, '--impl', 'reference', '--tags', 'not @slow']),
    runCli([
      'run', '--report-dir', leakyDir, '--impl', LEAKY, '--tags', 'not @slow',
      '--impl-option', 'lie=http,refused', '--impl-option', 'echo=true', '--impl-option', 'linkCost=7', '--impl-option', `record=${recorded}`,
    ]),
    // one Link for all groups: its failures hold 200 answers, each with a Secret and its private key
    runCli(['run', '--side', 'grant-service', '--report-dir', grantDir, '--impl', 'broken/one-link-for-all-groups', '--tags', 'not @slow', '--quiet-period', '0']),
  ]);
});

function secretsHeld(): { codes: string[]; keyLines: string[] } {
  const entries = readFileSync(recorded, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { code?: string; key?: string });
  const codes = [...new Set(entries.flatMap((e) => (e.code ? [e.code] : [])))];
  const keyLines = [...new Set(entries.flatMap((e) => (e.key ? e.key.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')) : [])))];
  return { codes, keyLines };
}

function leaksIn(texts: { name: string; text: string }[]): string[] {
  const { codes, keyLines } = secretsHeld();
  const found: string[] = [];
  for (const { name, text } of texts) {
    for (const c of codes) if (text.includes(c)) found.push(`${name}: the code ${c.slice(0, 4)}…`);
    for (const k of keyLines) if (text.includes(k)) found.push(`${name}: a private key line ${k.slice(0, 8)}…`);
    for (const shape of secretShapes(text)) found.push(`${name}: ${shape}`);
  }
  return found;
}

function agreement(reportDir: string): void {
  const report = readReportYaml(reportDir);
  const matrix = htmlMatrix(read(reportDir, 'index.html'));
  const junit = junitSummary(read(reportDir, 'junit.xml'));
  // report.yaml against the matrix in index.html, requirement by requirement and in total
  assert.equal(matrix.size, report.requirements.length);
  for (const r of report.requirements) assert.equal(matrix.get(r.id), r.result, r.id);
  const count = (result: string) => [...matrix.values()].filter((v) => v === result).length;
  assert.deepEqual(
    { passed: count('passed'), failed: count('failed'), warning: count('warning'), unsupported: count('unsupported'), skipped: count('not-run'), expectedFailure: count('expected-failure') },
    { passed: report.summary.passed, failed: report.summary.failed, warning: report.summary.warning, unsupported: report.summary.unsupported, skipped: report.summary.skipped, expectedFailure: report.summary.expectedFailure },
  );
  assert.deepEqual(report.failedRequirements, report.requirements.filter((r) => r.result === 'failed').map((r) => r.id));
  // report.yaml against junit.xml's totals: one testcase per scenario
  const s = report.scenarios;
  assert.equal(junit.tests, s.total);
  assert.equal(junit.names.length, s.total);
  assert.equal(junit.failures, s.failed);
  assert.equal(junit.skipped, s.unsupported + s.skipped + s.expectedFailure);
  assert.equal(junit.errors, 0);
}

describe('a run of the reference implementation', () => {
  test('exits 0, conformant, and writes all six report files', () => {
    assert.equal(reference.code, 0, reference.stderr);
    assert.deepEqual(missingFiles(referenceDir), []);
    assert.match(reference.stdout, /Verdict: Conformant/);
    for (const f of ['index.html', 'report.yaml', 'badge.svg']) assert.ok(reference.stdout.includes(join(referenceDir, f)), `the console names ${f}`);
  });

  test('writes a report.yaml that parses, whose counts match the index.html matrix and the junit.xml totals', () => {
    const report = readReportYaml(referenceDir);
    assert.equal(report.kind, 'ConformanceReport');
    assert.equal(report.result.verdict, 'Conformant');
    assert.equal(report.mode, 'filtered');
    agreement(referenceDir);
  });

  test('names every junit testcase with the requirement ID its scenario proves', () => {
    const report = readReportYaml(referenceDir);
    const run = new Set(report.requirements.filter((r) => r.result !== 'not-run').map((r) => r.id));
    const named = junitSummary(read(referenceDir, 'junit.xml')).names.map((n) => /^(AT-[A-Z]+-\d{3})\b/.exec(n)?.[1]);
    assert.ok(named.every((id) => id !== undefined), 'every name starts with an ID');
    assert.deepEqual(new Set(named), run);
  });

  test('shows no private key and no code-shaped secret in any report file or on the console', () => {
    assert.deepEqual(everything(referenceDir, reference).flatMap(({ name, text }) => secretShapes(text).map((s) => `${name}: ${s}`)), []);
  });
});

describe('a run of an implementation that lies and leaks', () => {
  test('exits 1, not conformant, with failures whose evidence carries transcripts, Secrets and Links', () => {
    assert.equal(leaky.code, 1, leaky.stderr);
    assert.deepEqual(missingFiles(leakyDir), []);
    const html = read(leakyDir, 'index.html');
    assert.match(html, /data-verdict="Not conformant"/);
    assert.ok((html.match(/<b>POST<\/b>/g) ?? []).length > 0, 'a transcript with a request');
    assert.match(html, /tls\.key: \[redacted private key\]/);
    assert.match(html, /\[redacted code: \d+ bytes, sha256 [0-9a-f]{12}\]/);
    assert.match(html, /kind: Link/);
  });

  test('held codes and private keys that the suite knows to look for', () => {
    const { codes, keyLines } = secretsHeld();
    assert.ok(codes.length > 40, `${codes.length} codes`);
    assert.ok(keyLines.length > 0);
  });

  test('writes no code it was handed and no private key it held into any report file', () => {
    assert.deepEqual(leaksIn(everything(leakyDir, { code: leaky.code, stdout: '', stderr: '' })), []);
  });

  test('prints no code and no private key on the console', () => {
    assert.deepEqual(leaksIn([{ name: 'stdout', text: leaky.stdout }, { name: 'stderr', text: leaky.stderr }]), []);
  });

  test('writes a report.yaml whose counts match the index.html matrix and the junit.xml totals', () => {
    const report = readReportYaml(leakyDir);
    assert.equal(report.result.verdict, 'Not conformant');
    assert.ok(report.failedRequirements.includes('AT-REQ-001'));
    assert.ok(report.warningRequirements.includes('AT-MSG-001'));
    agreement(leakyDir);
  });
});

describe('a run of a broken grant service (--side grant-service)', () => {
  test('exits 1, and every report names the side it judged', () => {
    assert.equal(grant.code, 1, grant.stderr);
    assert.deepEqual(missingFiles(grantDir), []);
    const report = readReportYaml(grantDir);
    assert.equal(report.side, 'grant-service');
    assert.equal(readReportYaml(referenceDir).side, 'redeemer');
    assert.deepEqual(report.failedRequirements, ['AT-ANSWER-005']);
    const html = read(grantDir, 'index.html');
    assert.match(html, /<title>one-link-for-all-groups [^<]* \(grant service\): Not conformant/);
    assert.match(html, /data-side="grant-service"/);
    assert.match(read(grantDir, 'junit.xml'), /<testsuite name="accesstoken-conformance one-link-for-all-groups \(grant service\)"/);
    assert.match(read(referenceDir, 'junit.xml'), /<testsuite name="accesstoken-conformance reference \(redeemer\)"/);
    assert.match(grant.stdout, /one-link-for-all-groups [^:]* \(grant service\): \d+\/\d+ scenarios passed/);
  });

  test('shows the grants the service showed and the suite\'s exchanges with it as evidence, keys redacted', () => {
    const html = read(grantDir, 'index.html');
    assert.ok(html.includes('<h4>AccessGrants observed'));
    assert.ok(html.includes('<h4>Exchanges with the grant service'));
    assert.ok(!html.includes('<h4>AccessToken observed'));
    assert.match(html, /tls\.key: \[redacted private key\]/);
    assert.match(html, /code: (&quot;)?\[redacted code: 24 bytes, sha256 [0-9a-f]{12}\]/);
    assert.match(html, /npx accesstoken-conformance run --side grant-service --impl broken\/one-link-for-all-groups --requirement AT-ANSWER-005/);
  });

  test('shows no private key and no code-shaped secret in any report file or on the console', () => {
    assert.deepEqual(everything(grantDir, grant).flatMap(({ name, text }) => secretShapes(text).map((s) => `${name}: ${s}`)), []);
  });

  test('writes a report.yaml whose counts match the index.html matrix and the junit.xml totals', () => {
    agreement(grantDir);
  });
});
