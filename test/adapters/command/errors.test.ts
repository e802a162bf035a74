// What a user gets wrong: a program that does not exist (the scenario fails with a clear message, the
// run goes on) and options the adapter does not understand (one line, exit 2, before anything runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, loadImplementation } from '../../../adapters/load.ts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, describe, FIXTURE_COMMAND, leftovers, TEST_TMP } from './support.ts';

test('a command that does not exist fails the scenario with a message that says so', async (t) => {
  const r = await cli(t, ['--impl', 'command', '--impl-option', 'command=atc-no-such-program {tokenFile}', '--requirement', 'AT-REQ-004']);
  assert.equal(r.status, 1, describe(r));
  assert.match(r.stdout, /FAILED AT-REQ-004/);
  assert.match(r.stdout, /the command could not be started: "atc-no-such-program" was not found \(ENOENT\)/);
  assert.deepEqual(leftovers(r), []);
});

// through the command line: what a user sees
for (const [options, pattern] of [
  [['bogus=1', `command=${FIXTURE_COMMAND}`], /unknown option "bogus" for the command adapter/],
  [[], /the command adapter needs options\.command/],
  [['command=python3 \'unterminated'], /options\.command: unterminated ' quote/],
] as const) {
  test(`bad options (${options.filter((o) => !o.startsWith('command=python3 test')).join(' ') || 'none'}): one line naming the problem, exit 2`, async (t) => {
    const r = await cli(t, ['--impl', 'command', ...options.flatMap((o) => ['--impl-option', o]), '--requirement', 'AT-REQ-004']);
    assert.equal(r.status, 2, describe(r));
    assert.equal(r.stderr.trim().split('\n').length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(r.stderr, /^accesstoken-conformance: --impl command: create\(\) failed: /);
    assert.match(r.stderr, pattern);
    assert.deepEqual(leftovers(r), []);
  });
}

// Skupper's CLI refuses a token file whose path has a character outside [A-Za-z0-9./~-]: a tokenDir (or a
// system temp dir, as macOS's) with one is a usage error before anything runs, naming the path and tokenDir
test('a tokenDir, or a system temp dir, whose path has "_" in it: one line naming it and options.tokenDir, exit 2', async (t) => {
  const underscored = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-has_underscore-'));
  t.after(() => rmSync(underscored, { recursive: true, force: true }));
  for (const [args, env, where] of [
    [['--impl-option', `tokenDir=${underscored}`], {}, 'options.tokenDir'],
    [[], { TMPDIR: underscored }, 'the system temp dir'],
  ] as const) {
    const r = await cli(t, ['--impl', 'command', '--impl-option', `command=${FIXTURE_COMMAND}`, ...args, '--requirement', 'AT-REQ-004'], { env });
    assert.equal(r.status, 2, describe(r));
    assert.equal(r.stderr.trim().split('\n').length, 1, `expected one line, got:\n${r.stderr}`);
    assert.ok(r.stderr.startsWith(`accesstoken-conformance: --impl command: create() failed: token files cannot be written under ${where} ${JSON.stringify(underscored)}: `), r.stderr);
    assert.match(r.stderr, /outside \[A-Za-z0-9\.\/~-\].*set options\.tokenDir to a directory whose path has none/);
    assert.deepEqual(readdirSync(underscored).filter((f) => !f.startsWith('tsx-')), [], 'nothing was made in it (the cache of tsx aside)');
  }
});

// through the loader, as the command line reaches it (faster: no process per case)
test('every other bad option is a one-line ConfigurationError naming it', async () => {
  for (const [options, pattern] of [
    [{ output: 'files' }, /options\.output must be "directory" or "stdout", not "files"/],
    [{ status: 'kept' }, /options\.status must be "none" or "file"/],
    [{ timeoutSeconds: 'soon' }, /options\.timeoutSeconds must be a number/],
    [{ timeoutSeconds: '0' }, /options\.timeoutSeconds must be a number of seconds above 0/],
    [{ shell: 'yes' }, /options\.shell must be "true" or "false"/],
    [{ resync: '1' }, /options\.resync must be "true" or "false"/],
    [{ features: 'status' }, /"status" needs status: file/],
    [{ features: 'teleport' }, /"teleport" is not a known feature/],
    [{ outputDir: '/tmp/shared' }, /outputDir must contain \{namespace\}/],
    [{ 'env.1X': 'y' }, /"1X" is not an environment variable name/],
    [{ 'env.X': '{secret}' }, /options\.env\.X: unknown placeholder \{secret\}/],
    [{ command: '   ' }, /needs options\.command/],
    [{ command: 'run "unterminated' }, /unterminated " quote/],
    [{ tokenDir: '' }, /options\.tokenDir is empty/],
    [{ tokenDir: '/nonexistent-atc-dir' }, /options\.tokenDir "\/nonexistent-atc-dir" is not an existing directory/],
  ] as const) {
    const error = await loadImplementation('command', { command: FIXTURE_COMMAND, ...options }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigurationError, `${JSON.stringify(options)} was accepted`);
    assert.match(error.message, /^--impl command: create\(\) failed: /);
    assert.match(error.message, pattern);
    assert.equal(error.message.split('\n').length, 1);
  }
});
