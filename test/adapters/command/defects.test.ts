// The fixture's deliberately broken variants (redeem.py --defect NAME): the suite fails each on the rule
// it breaks, and on nothing else of what is run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, describe, failedInSummary, FIXTURE_COMMAND, requirementResults, withResult } from './support.ts';

const DEFECTS: Array<{ defect: string; breaks: string; alongside: string[]; why: string }> = [
  {
    defect: 'ignore-expiry',
    breaks: 'AT-TRUST-004',
    // chain and hostname verification stay on: a certificate for another host or from another CA is still refused
    alongside: ['AT-TRUST-001', 'AT-TRUST-005', 'AT-TRUST-006'],
    why: 'X509_V_FLAG_NO_CHECK_TIME accepts an expired certificate and nothing else',
  },
  { defect: 'follows-redirects', breaks: 'AT-REQ-006', alongside: ['AT-REQ-004', 'AT-ERR-002'], why: 'it POSTs the code to where a 3xx points' },
  { defect: 'trims-code', breaks: 'AT-REQ-003', alongside: ['AT-REQ-004'], why: 'a code with surrounding spaces is refused' },
];

for (const { defect, breaks, alongside, why } of DEFECTS) {
  test(`--defect ${defect} fails ${breaks} (${why}), and only that`, async (t) => {
    const r = await cli(t, [
      '--impl', 'command',
      '--impl-option', `command=${FIXTURE_COMMAND} --defect ${defect}`,
      '--quiet-period', '0',
      ...[breaks, ...alongside].flatMap((id) => ['--requirement', id]),
    ]);
    assert.equal(r.status, 1, describe(r));
    assert.deepEqual(failedInSummary(r.stdout), [breaks], describe(r));
    const results = requirementResults(r);
    assert.deepEqual(withResult(results, 'failed'), [breaks]);
    for (const id of alongside) assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}`);
    assert.match(r.stdout, /Verdict: Not conformant/);
  });
}

// The adapter hands every token to the program again (on re-apply and resync), redeemed or not: whether a
// redeemed token is submitted again, and whether a failed one is retried, is the program's own doing, read
// from the status it wrote. A program that gets either wrong fails the rule; the adapter does not save it.
// AT-USE-001 is a MUST rule (exit 1), AT-USE-003 a SHOULD (a warning, exit 0)
const STATUS_DEFECTS: Array<{ defect: string; breaks: string; as: 'failed' | 'warning'; alongside: string[] }> = [
  { defect: 'resubmits-redeemed', breaks: 'AT-USE-001', as: 'failed', alongside: ['AT-USE-003', 'AT-COND-001'] },
  { defect: 'never-retries', breaks: 'AT-USE-003', as: 'warning', alongside: ['AT-USE-001', 'AT-COND-001'] },
];
for (const { defect, breaks, as, alongside } of STATUS_DEFECTS) {
  test(`--status-file --defect ${defect} fails ${breaks}: the adapter hands the token over, the program decides`, async (t) => {
    const r = await cli(t, [
      '--impl', 'command',
      '--impl-option', `command=${FIXTURE_COMMAND} --status-file --defect ${defect}`,
      '--impl-option', 'status=file',
      '--impl-option', 'resync=true',
      '--quiet-period', '0',
      ...[breaks, ...alongside].flatMap((id) => ['--requirement', id]),
    ]);
    assert.equal(r.status, as === 'failed' ? 1 : 0, describe(r));
    const results = requirementResults(r);
    assert.deepEqual([...withResult(results, 'failed'), ...withResult(results, 'warning')], [breaks], describe(r));
    assert.equal(results.get(breaks), as);
    for (const id of alongside) assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}`);
  });
}

test('with status: none the rules that read the token\'s own status are unsupported, not passed by the adapter', async (t) => {
  const ids = ['AT-USE-001', 'AT-USE-003', 'AT-COND-004'];
  const r = await cli(t, ['--impl', 'command', '--impl-option', `command=${FIXTURE_COMMAND}`, '--impl-option', 'resync=true', '--quiet-period', '0', ...ids.flatMap((id) => ['--requirement', id])]);
  const results = requirementResults(r);
  for (const id of ids) assert.equal(results.get(id), 'unsupported', `${id}: ${results.get(id)}\n${describe(r)}`);
});
