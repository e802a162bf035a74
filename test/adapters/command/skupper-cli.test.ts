// Skupper's system-mode CLI through the command adapter, configured exactly as docs/adapters.md's recipe
// says (test/fixtures/command/skupper-cli.yaml, which the docs quote verbatim), with a stand-in that
// behaves as `skupper token redeem` does (test/fixtures/command/skupper-like.py) put on PATH as `skupper`:
// errors on stdout, exit 1 (2 for its input checks), a token path checked against ^[A-Za-z0-9./~-]+$.
// A correct CLI that words and prints its errors as Skupper does fails no MUST rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { cli, describe, fixtureDir, leftovers, reportedRequirements, requirementResults, root, TEST_TMP, withResult } from './support.ts';

const CONFIG = join(fixtureDir, 'skupper-cli.yaml');
const STAND_IN = join(fixtureDir, 'skupper-like.py');

/** The first ```yaml block of docs/adapters.md's "Skupper's system-mode CLI" section. */
function recipeInDocs(): string {
  const docs = readFileSync(join(root, 'docs/adapters.md'), 'utf8');
  const start = docs.indexOf("\n### Skupper's system-mode CLI\n");
  assert.ok(start >= 0, "docs/adapters.md has no section \"### Skupper's system-mode CLI\"");
  const section = docs.slice(start + 1).split(/\n#{2,3} /)[0];
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the section has no ```yaml block');
  return block[1];
}

/** A directory with `skupper` in it: the stand-in, for the recipe's command to find first on PATH. */
function skupperOnPath(t: TestContext): string {
  const bin = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-bin-'));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(join(bin, 'skupper'), `#!/bin/sh\nexec python3 '${STAND_IN}' "$@"\n`, { mode: 0o755 });
  return bin;
}

test("docs/adapters.md's Skupper recipe is test/fixtures/command/skupper-cli.yaml, verbatim", () => {
  assert.equal(recipeInDocs(), readFileSync(CONFIG, 'utf8'));
});

test('the stand-in refuses a token path as Skupper does, and prints its errors on stdout', (t) => {
  const dir = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-skupper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => spawnSync('python3', [STAND_IN, 'token', 'redeem', ...args], { encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: dir } });

  mkdirSync(join(dir, 'with_underscore'));
  const token = join(dir, 'with_underscore', 'x.yaml');
  writeFileSync(token, '{}');
  const refused = run([token, '--namespace', 'Bad_NS']);
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.equal(refused.stderr, '');
  assert.deepEqual(refused.stdout.trim().split('\n'), [
    'namespace is not valid: value does not match this regular expression: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    'token file name is not valid: value does not match this regular expression: ^[A-Za-z0-9./~-]+$',
  ]);

  const noCa = join(dir, 'no-ca.yaml');
  writeFileSync(noCa, JSON.stringify({ apiVersion: 'skupper.io/v2alpha1', kind: 'AccessToken', metadata: { name: 'no-ca' }, spec: { url: 'https://127.0.0.1:1/x', code: 'c', ca: '' } }));
  const failed = run([noCa, '--platform', 'podman', '--namespace', 'west']);
  assert.deepEqual([failed.status, failed.stdout, failed.stderr], [1, 'token does not have a CA\n', '']);
});

test("Skupper's system-mode CLI, run as the docs' recipe says: no MUST rule fails; where it differs from the controller, SHOULD warnings", async (t) => {
  const bin = skupperOnPath(t);
  // two workers: each has an adapter of its own (and its own temp dirs to remove)
  const r = await cli(t, ['--config', CONFIG, '--parallel', '2'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
  const reported = reportedRequirements(r);
  // a MUST rule that fails is "failed"; a SHOULD rule, a "warning"
  assert.deepEqual(reported.filter((x) => x.result === 'failed').map((x) => `${x.id} (${x.level})`), [], describe(r));
  assert.equal(r.status, 0, describe(r));
  assert.match(r.stdout, /Verdict: Conformant with warnings/);

  const results = requirementResults(r);
  // the messages reach the adapter from stdout: the rules that read them are judged, and passed
  for (const id of ['AT-MSG-001', 'AT-TRUST-001', 'AT-TRUST-004', 'AT-TRUST-005', 'AT-REQ-003', 'AT-REQ-004', 'AT-REQ-006', 'AT-RESP-001', 'AT-RESP-003', 'AT-RESP-005', 'AT-RESP-006']) {
    assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}\n${describe(r)}`);
  }
  // where the system mode differs from the controller (spec §7.2), and the suite says so as a warning:
  // the namespace as subject, a broken document after the Link fails it all, names taken are overwritten
  for (const id of ['AT-REQ-005', 'AT-RESP-008', 'AT-RESP-011', 'AT-RESP-012']) {
    const x = reported.find((q) => q.id === id);
    assert.deepEqual([x?.result, x?.level], ['warning', 'SHOULD'], `${id}\n${describe(r)}`);
  }
  assert.deepEqual(leftovers(r), [], 'the run left files in its temp dir');
  t.diagnostic(`warnings: ${withResult(results, 'warning').join(' ')}; unsupported: ${withResult(results, 'unsupported').join(' ')}`);
});
