// `--side grant-service --impl command`: a grant service in another language (test/fixtures/command/
// grant-service.py, a server and a token-issuing CLI, as Skupper's controller and `skupper token issue`)
// judged without a line of JavaScript; and what the adapter does with a command that fails or is misused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { suiteCatalogue } from '../../../cli/selection.ts';
import { cli, describe, failedInSummary, fixtureDir, leftovers, processesWith, requirementResults, withResult } from './support.ts';

const CONFIG = join(fixtureDir, 'grant-service.yaml');
const PROGRAM = 'python3 test/fixtures/command/grant-service.py';

/** The grant-service rules, and the features each needs. */
function grantRules(): { id: string; features: string[] }[] {
  return suiteCatalogue().filter((r) => r.side === 'grant-service').map((r) => ({ id: r.id, features: r.features }));
}

test('the Python grant service passes every grant rule it is judged on; those that need grant status or the grant resource are unsupported', async (t) => {
  const r = await cli(t, ['--config', CONFIG]);
  assert.equal(r.status, 0, describe(r));
  const results = requirementResults(r);
  assert.deepEqual(withResult(results, 'failed'), [], describe(r));
  assert.deepEqual(failedInSummary(r.stdout), []);
  for (const rule of grantRules()) {
    const result = results.get(rule.id);
    // a rule is unsupported when every scenario of it needs a feature the command adapter cannot have
    if (rule.features.includes('status') || rule.features.includes('grant-resource')) {
      assert.equal(result, 'unsupported', `${rule.id} (needs ${rule.features.join(', ')}): ${result}`);
    } else {
      assert.equal(result, 'passed', `${rule.id}: ${result}\n${describe(r)}`);
    }
  }
  // the ones a token-issuing program is mostly judged by
  for (const id of ['AT-LIMIT-002', 'AT-LIMIT-003', 'AT-GRANT-005', 'AT-GTLS-001', 'AT-ANSWER-005', 'AT-USE-004', 'AT-DEF-005']) {
    assert.equal(results.get(id), 'passed', id);
  }
  const report = readFileSync(join(r.reportDir, 'report.yaml'), 'utf8');
  assert.equal((parseYaml(report) as { side: string }).side, 'grant-service');
  assert.doesNotMatch(report + r.stdout + r.stderr, /BEGIN (EC |RSA )?PRIVATE KEY/);
  assert.deepEqual(leftovers(r), [], 'the run left files in its temp dir');
  assert.deepEqual(await processesWith('grant-service.py'), [], 'the serve command outlived the run');
  t.diagnostic(`${Math.round(r.durationMs)} ms; passed ${withResult(results, 'passed').length}, unsupported ${withResult(results, 'unsupported').length}`);
});

test('a grant service that consumes a redemption on a wrong code, written in Python, fails AT-GRANT-005', async (t) => {
  const r = await cli(t, ['--config', CONFIG, '--impl-option', 'env.GRANT_SERVICE_DEFECT=consumes-on-wrong-code', '--requirement', 'AT-GRANT-005', '--requirement', 'AT-GRANT-006']);
  assert.equal(r.status, 1, describe(r));
  const results = requirementResults(r);
  assert.equal(results.get('AT-GRANT-005'), 'failed');
  assert.equal(results.get('AT-GRANT-006'), 'passed');
  assert.deepEqual(leftovers(r), []);
});

test('an issue command that fails fails its scenarios with what it printed on stdout, and the run goes on', async (t) => {
  // Skupper's CLI prints its errors on stdout and exits 1
  const issue = `python3 -c "print('there is no active skupper site in this namespace'); raise SystemExit(1)" {tokenFile}`;
  const r = await cli(t, ['--side', 'grant-service', '--impl', 'command', '--impl-option', `issue=${issue}`, '--requirement', 'AT-ISSUE-001', '--requirement', 'AT-GRANT-003']);
  assert.equal(r.status, 1, describe(r));
  const results = requirementResults(r);
  assert.equal(results.get('AT-ISSUE-001'), 'failed');
  assert.equal(results.get('AT-GRANT-003'), 'failed');
  const html = readFileSync(join(r.reportDir, 'index.html'), 'utf8');
  assert.match(html, /the issue command exited with code 1: there is no active skupper site in this namespace/);
  assert.deepEqual(leftovers(r), []);
});

test('a serve command that dies is named when the issue command then fails', async (t) => {
  const r = await cli(t, [
    '--side', 'grant-service', '--impl', 'command',
    '--impl-option', `serve=python3 -c "import sys; sys.stderr.write('cannot bind the grant port\\\\n'); sys.exit(4)"`,
    '--impl-option', `issue=${PROGRAM} issue {tokenFile} --state-dir {stateDir} --site {siteFile} --name {grantName}`,
    // the fixture's issue waits for its server; without one, the adapter's bound ends it
    '--impl-option', 'timeoutSeconds=3',
    '--requirement', 'AT-ISSUE-001',
  ]);
  assert.equal(r.status, 1, describe(r));
  const html = readFileSync(join(r.reportDir, 'index.html'), 'utf8');
  assert.match(html, /the serve command had ended: code 4: cannot bind the grant port/);
  assert.deepEqual(leftovers(r), []);
});

const USAGE: [string[], RegExp][] = [
  [[], /needs options\.issue/],
  [['issue=skupper token issue'], /options\.issue must contain \{tokenFile\}/],
  [['issue=skupper token issue {tokenFile}', 'features=status'], /"status" cannot be claimed/],
  [['issue=skupper token issue {tokenFile} {code}'], /options\.issue: unknown placeholder \{code\}/],
  [['issue=skupper token issue {tokenFile}', 'issue.expirationWindow=--expiration-window'], /must contain \{expirationWindow\}/],
  [['issue=skupper token issue {tokenFile}', 'tokenDir=/nonexistent/tokens'], /options\.tokenDir "\/nonexistent\/tokens" is not an existing directory/],
  [['issue=skupper token issue {tokenFile}', 'redeem=x'], /unknown option "redeem" for the command grant service adapter/],
];
for (const [options, message] of USAGE) {
  test(`bad options (${options.join(' ') || 'none'}): one line naming the problem, exit 2`, async (t) => {
    const r = await cli(t, ['--side', 'grant-service', '--impl', 'command', ...options.flatMap((o) => ['--impl-option', o])]);
    assert.equal(r.status, 2, describe(r));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.deepEqual(leftovers(r), []);
  });
}

test("a state directory whose path Skupper's CLI would refuse is a usage error naming tokenDir", async (t) => {
  const unsafe = mkdtempSync(join(tmpdir(), 'atc_unsafe-'));
  t.after(() => rmSync(unsafe, { recursive: true, force: true }));
  const r = await cli(t, ['--side', 'grant-service', '--impl', 'command', '--impl-option', 'issue=skupper token issue {tokenFile}', '--impl-option', `tokenDir=${unsafe}`]);
  assert.equal(r.status, 2, describe(r));
  assert.match(r.stderr, /has characters outside \[A-Za-z0-9\.\/~-\].*set options\.tokenDir/);
  assert.deepEqual(readdirSync(unsafe), [], 'the refused state directory was left behind');
});

test('the fixture config names a program that exists, and the docs show it as npm test runs it', () => {
  assert.ok(readdirSync(fixtureDir).includes('grant-service.py'));
  const docs = readFileSync(join(fixtureDir, '../../../docs/adapters.md'), 'utf8');
  assert.ok(docs.includes('run --config test/fixtures/command/grant-service.yaml'));
});

test("the Python grant service, starting, removes an interrupted write's temporary file but not one being written", async () => {
  // the adapter starts `serve` at the first issue and both run at once: a start that removed every
  // temporary file took the one the issue command was about to link (a failure seen once in CI)
  const stateDir = mkdtempSync(join(tmpdir(), 'atc-serve-start-'));
  const server = spawn('python3', [join(fixtureDir, 'grant-service.py'), 'serve', '--state-dir', stateDir], { stdio: 'ignore' });
  try {
    const namespace = join(stateDir, 'grants', 'issuing');
    mkdirSync(namespace, { recursive: true });
    const fresh = join(namespace, '.being-written.json.abc.tmp');
    const stale = join(namespace, '.interrupted.json.def.tmp');
    writeFileSync(fresh, '{}');
    writeFileSync(stale, '{}');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(stale, twoMinutesAgo, twoMinutesAgo);
    const serverJson = join(stateDir, 'server.json');
    for (const started = Date.now(); !existsSync(serverJson); await sleep(50)) {
      assert.ok(Date.now() - started < 20_000, 'the serve command did not start within 20 s');
    }
    assert.equal(existsSync(fresh), true, 'the file being written was removed');
    assert.equal(existsSync(stale), false, 'the interrupted write was left');
  } finally {
    server.kill();
    await once(server, 'exit').catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
});
