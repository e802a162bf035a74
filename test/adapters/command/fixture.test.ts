// The Python fixture (test/fixtures/command/redeem.py) through `--impl command`: an implementation in
// another language, reached without a line of JavaScript, passes every rule it can be judged on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, describe, failedInSummary, fixtureDir, leftovers, requirementResults, withResult } from './support.ts';

test('the fixture passes every rule it is judged on; the status and condition rules are unsupported, not failed', async (t) => {
  // two workers: each has an adapter of its own (and its own temp dirs to remove)
  const r = await cli(t, ['--config', join(fixtureDir, 'conformance.yaml'), '--parallel', '2']);
  assert.equal(r.status, 0, describe(r));
  const results = requirementResults(r);
  assert.deepEqual(withResult(results, 'failed'), [], describe(r));
  assert.deepEqual(failedInSummary(r.stdout), []);
  // it keeps no status: every rule of the conditions family is reported unsupported (or not run: @slow)
  const conditions = [...results.keys()].filter((id) => id.startsWith('AT-COND-'));
  assert.ok(conditions.length >= 10);
  for (const id of conditions) assert.ok(['unsupported', 'not-run'].includes(results.get(id)!), `${id}: ${results.get(id)}`);
  // the rules that matter most for a redeemer outside Kubernetes are judged, and passed
  for (const id of ['AT-TRUST-001', 'AT-TRUST-004', 'AT-TRUST-005', 'AT-TRUST-007', 'AT-REQ-003', 'AT-REQ-006', 'AT-RESP-003', 'AT-RESP-008', 'AT-MSG-001', 'AT-LIFE-002', 'AT-DEF-003']) {
    assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}\n${describe(r)}`);
  }
  assert.match(r.stdout, /Verdict: Conformant/);
  assert.deepEqual(leftovers(r), [], 'the run left files in its temp dir');
  t.diagnostic(`full run (not @slow): ${Math.round(r.durationMs)} ms; passed ${withResult(results, 'passed').length}, unsupported ${withResult(results, 'unsupported').join(' ')}`);
});

test('with status: file the fixture writes its status back, claims "status", and passes the condition rules', async (t) => {
  const ids = ['AT-COND-001', 'AT-COND-002', 'AT-COND-003', 'AT-COND-004', 'AT-COND-006', 'AT-COND-009', 'AT-COND-010', 'AT-USE-001'];
  const r = await cli(t, ['--config', join(fixtureDir, 'conformance-status.yaml'), ...ids.flatMap((id) => ['--requirement', id])]);
  assert.equal(r.status, 0, describe(r));
  const results = requirementResults(r);
  for (const id of ids) assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}\n${describe(r)}`);
  assert.deepEqual(leftovers(r), []);
});
