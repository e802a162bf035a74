// conformance.yaml and the baseline file: every mistake is one line that names it (exit 2), and flags win.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadBaseline, loadRunConfig, parseRunConfig } from '../../cli/config.ts';
import { UsageError } from '../../cli/errors.ts';
import { parse as parseYaml } from 'yaml';
import { projectRoot, readReportYaml, runCli, tempDir, writeTemp, type CliRun } from './support.ts';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('no error');
}

function config(yaml: string): ReturnType<typeof parseRunConfig> {
  return parseRunConfig('/repo/conformance.yaml', parseYaml(yaml));
}

describe('conformance.yaml', () => {
  test('reads every documented key', () => {
    const dir = tempDir();
    writeTemp(dir, 'expected-failures.yaml', '- id: AT-REQ-001\n  reason: tracked upstream\n');
    const path = writeTemp(dir, 'conformance.yaml', `
implementation: { name: My redeemer, version: "2.1.0", organization: Example, url: "https://example.test", contact: team@example.test }
impl: ./impl.js
options: { kubeconfig: /k, retries: 3, verbose: true }
features: [status, resync]
tags: not @slow
requirements: [AT-REQ-001, AT-REQ-002]
reportDir: out
timeouts: { settleSeconds: 30, quietPeriodMs: 500 }
parallel: 2
grantHost: grants.example.test
listenHost: 0.0.0.0
baseline: expected-failures.yaml
`);
    const c = parseRunConfig(path, parseYaml(readFileSync(path, 'utf8')));
    assert.deepEqual(c.metadata, { name: 'My redeemer', version: '2.1.0', organization: 'Example', url: 'https://example.test', contact: 'team@example.test' });
    assert.equal(c.impl, join(dir, 'impl.js'), 'a module path is relative to the file');
    assert.deepEqual(c.implOptions, { kubeconfig: '/k', retries: '3', verbose: 'true' });
    assert.deepEqual(c.features, ['status', 'resync']);
    assert.equal(c.tags, 'not @slow');
    assert.deepEqual(c.requirements, ['AT-REQ-001', 'AT-REQ-002']);
    assert.equal(c.reportDir, join(dir, 'out'));
    assert.equal(c.timeoutSeconds, 30);
    assert.equal(c.quietMs, 500);
    assert.equal(c.parallel, 2);
    assert.equal(c.grantHost, 'grants.example.test');
    assert.equal(c.listenHost, '0.0.0.0');
    assert.deepEqual(c.baseline, [{ id: 'AT-REQ-001', reason: 'tracked upstream' }]);
  });

  test('keeps a built-in implementation name as it is', () => {
    assert.equal(config('impl: reference').impl, 'reference');
    assert.equal(config('impl: broken/no-status').impl, 'broken/no-status');
  });

  test('names an unknown key, and the key it probably meant', () => {
    assert.match(errorOf(() => config('reportdir: x')), /unknown key "reportdir" \(did you mean "reportDir"\?\)/);
    assert.match(errorOf(() => config('implementation: { nmae: x }')), /unknown key "implementation.nmae" \(did you mean "implementation.name"\?\)/);
    assert.match(errorOf(() => config('timeouts: { settle: 3 }')), /unknown key "timeouts.settle"/);
  });

  test('names a bad value and says what it should be', () => {
    assert.match(errorOf(() => config('timeouts: { settleSeconds: "15" }')), /"timeouts.settleSeconds" must be a number of at least 1, not "15"/);
    assert.match(errorOf(() => config('parallel: 1.5')), /"parallel" must be a whole number/);
    assert.match(errorOf(() => config('implementation: { version: 1.10 }')), /"implementation.version" must be a string, not the number 1.1: quote it/);
    assert.match(errorOf(() => config('features: [status, teleport]')), /"features": "teleport" is not a known feature/);
    assert.match(errorOf(() => config('features: status')), /"features" must be a list of strings/);
    assert.match(errorOf(() => config('tags: "@a and"')), /"tags": "@a and" is not a tag expression/);
    assert.match(errorOf(() => config('requirements: [AT-NOPE-999]')), /"requirements": AT-NOPE-999 is not a requirement in the catalogue/);
    assert.match(errorOf(() => config('requirements: [nope]')), /"requirements": "nope" is not a requirement ID/);
    assert.match(errorOf(() => config('options: { a: [1] }')), /"options.a" must be a string, number or boolean/);
    assert.match(errorOf(() => config('- a list')), /expected a mapping at the top level/);
  });

  test('says which file is missing or not YAML', async () => {
    const dir = tempDir();
    await assert.rejects(loadRunConfig({ config: join(dir, 'absent.yaml') }), /absent.yaml: no such file/);
    const bad = writeTemp(dir, 'bad.yaml', 'a: [1\n');
    await assert.rejects(loadRunConfig({ config: bad }), /bad.yaml: not valid YAML/);
  });
});

describe('the expected-failures baseline', () => {
  const dir = tempDir();
  const file = (text: string) => writeTemp(dir, `b${Math.random().toString(36).slice(2)}.yaml`, text);

  test('reads a list of id, reason and optional link, or the same under expectedFailures', () => {
    assert.deepEqual(loadBaseline(file('- { id: AT-REQ-001, reason: r, link: "https://x.test/1" }\n- { id: AT-REQ-002, reason: s }')), [
      { id: 'AT-REQ-001', reason: 'r', link: 'https://x.test/1' },
      { id: 'AT-REQ-002', reason: 's' },
    ]);
    assert.deepEqual(loadBaseline(file('expectedFailures:\n  - { id: AT-REQ-001, reason: r }')), [{ id: 'AT-REQ-001', reason: 'r' }]);
    assert.deepEqual(loadBaseline(file('')), []);
  });

  test('names an ID that is not in the catalogue', () => {
    assert.match(errorOf(() => loadBaseline(file('- { id: AT-REQ-999, reason: r }'))), /"\[0\].id": AT-REQ-999 is not a requirement in the catalogue/);
  });

  test('wants a reason, an http(s) link, no unknown key and no ID twice', () => {
    assert.match(errorOf(() => loadBaseline(file('- { id: AT-REQ-001 }'))), /entry AT-REQ-001 has no reason/);
    assert.match(errorOf(() => loadBaseline(file('- { id: AT-REQ-001, reason: r, link: "see issue 4" }'))), /"\[0\].link" of AT-REQ-001 must be an http\(s\) URL/);
    assert.match(errorOf(() => loadBaseline(file('- { id: AT-REQ-001, reason: r, url: "https://x" }'))), /unknown key "\[0\].url"/);
    assert.match(errorOf(() => loadBaseline(file('- { id: AT-REQ-001, reason: r }\n- { id: AT-REQ-001, reason: s }'))), /AT-REQ-001 is listed twice/);
    assert.match(errorOf(() => loadBaseline(file('expected: []'))), /unknown key "expected"/);
  });
});

describe('the examples', () => {
  test('examples/conformance.yaml and its baseline are valid', () => {
    const path = join(projectRoot, 'examples', 'conformance.yaml');
    const c = parseRunConfig(path, parseYaml(readFileSync(path, 'utf8')));
    assert.ok(c.metadata?.name);
    assert.ok((c.baseline ?? []).length > 0, 'the example points at its baseline');
  });
});

describe('the command line with a configuration file', () => {
  const dir = tempDir();
  let unknownKey: CliRun;
  let badValue: CliRun;
  let badBaseline: CliRun;
  let overridden: CliRun;

  before(async () => {
    writeTemp(dir, 'unknown.yaml', 'implementation: { name: x }\nreport-dir: out\n');
    writeTemp(dir, 'bad.yaml', 'parallel: many\n');
    writeTemp(dir, 'baseline.yaml', '- id: AT-XYZ-123\n  reason: nope\n');
    writeTemp(dir, 'conformance.yaml', [
      'implementation: { name: Example redeemer, version: "3.0.0", organization: Example Org, contact: team@example.test }',
      'impl: reference',
      'requirements: [AT-REQ-002]',
      'reportDir: from-config',
      'timeouts: { settleSeconds: 20 }',
      '',
    ].join('\n'));
    [unknownKey, badValue, badBaseline, overridden] = await Promise.all([
      runCli(['run', '--config', join(dir, 'unknown.yaml')]),
      runCli(['run', '--config', join(dir, 'bad.yaml')]),
      runCli(['run', '--baseline', join(dir, 'baseline.yaml'), '--report-dir', join(dir, 'never')]),
      runCli(['run', '--config', join(dir, 'conformance.yaml'), '--requirement', 'AT-REQ-001', '--report-dir', join(dir, 'from-flag'), '--timeout', '7', '--quiet']),
    ]);
  });

  test('an unknown key exits 2 with one line that names it', () => {
    assert.equal(unknownKey.code, 2);
    assert.equal(unknownKey.stdout, '');
    assert.equal(unknownKey.stderr.trimEnd().split('\n').length, 1, unknownKey.stderr);
    assert.match(unknownKey.stderr, /unknown.yaml: unknown key "report-dir" \(did you mean "reportDir"\?\)/);
  });

  test('a bad value exits 2 with one line that names it', () => {
    assert.equal(badValue.code, 2);
    assert.equal(badValue.stderr.trimEnd().split('\n').length, 1, badValue.stderr);
    assert.match(badValue.stderr, /bad.yaml: "parallel" must be a whole number of at least 0, not "many"/);
  });

  test('a baseline ID not in the catalogue exits 2 with one line that names it, before anything runs', () => {
    assert.equal(badBaseline.code, 2);
    assert.equal(badBaseline.stderr.trimEnd().split('\n').length, 1, badBaseline.stderr);
    assert.match(badBaseline.stderr, /AT-XYZ-123 is not a requirement in the catalogue/);
    assert.ok(!existsSync(join(dir, 'never')));
  });

  test('flags override the file, and the rest of the file still applies', () => {
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.ok(!existsSync(join(dir, 'from-config')), 'the report directory from the file was not used');
    const report = readReportYaml(join(dir, 'from-flag'));
    assert.deepEqual(report.selection.requirements, ['AT-REQ-001']);
    assert.deepEqual(report.requirements.filter((r) => r.result !== 'not-run').map((r) => r.id), ['AT-REQ-001']);
    assert.equal((report as unknown as { options: { timeoutSeconds: number } }).options.timeoutSeconds, 7);
    assert.equal(report.implementation.name, 'Example redeemer');
    assert.equal(report.implementation.version, '3.0.0');
    assert.equal(report.implementation.organization, 'Example Org');
    assert.equal(report.implementation.contact, 'team@example.test');
  });
});
