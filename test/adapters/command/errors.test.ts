// What a user gets wrong: a program that does not exist (the scenario fails with a clear message, the
// run goes on) and options the adapter does not understand (one line, exit 2, before anything runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, loadImplementation } from '../../../adapters/load.ts';
import { cli, describe, FIXTURE_COMMAND, leftovers } from './support.ts';

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
