// output: stdout — an implementation that prints what it created as a YAML stream instead of writing files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, describe, leftovers, REDEEM, requirementResults } from './support.ts';

test('output: stdout reads the resources from the YAML stream the command prints', async (t) => {
  const ids = ['AT-RESP-001', 'AT-RESP-003', 'AT-RESP-004', 'AT-RESP-008', 'AT-REQ-003', 'AT-TRUST-002'];
  const r = await cli(t, [
    '--impl', 'command',
    '--impl-option', `command=${REDEEM} {tokenFile} --stdout --subject {siteId}`,
    '--impl-option', 'output=stdout',
    '--quiet-period', '0',
    ...ids.flatMap((id) => ['--requirement', id]),
  ]);
  assert.equal(r.status, 0, describe(r));
  const results = requirementResults(r);
  for (const id of ids) assert.equal(results.get(id), 'passed', `${id}: ${results.get(id)}`);
  assert.deepEqual(leftovers(r), []);
});
