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
