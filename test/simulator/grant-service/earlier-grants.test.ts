// A controller still retrying a token of an earlier scenario must not count against the next one: after
// reset(), requests for the grants it forgot are answered 404 and kept out of the request log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import { postCode } from '../../../simulator/redeemer/client.ts';

test("a late request for an earlier scenario's grant is answered 404 and is not the new scenario's", async (t) => {
  const service = await GrantService.start();
  t.after(() => service.stop());
  const earlier = service.createGrant();
  service.reset();
  const present = service.createGrant();
  const post = (grant: typeof earlier, name: string) =>
    postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: { name, subject: 'test' } });
  assert.equal((await post(earlier, 'late')).status, 404);
  assert.equal((await post(present, 'now')).status, 200);
  assert.deepEqual(service.requests().map((r) => r.answer?.status), [200], 'only the present scenario request is logged');
  // a grant the service never issued is still logged: a wrong URL is the present scenario's evidence
  await postCode({ url: new URL(present.url.replace(present.uid, 'never-issued')), code: present.code, ca: service.pki.ca.certPem, headers: { name: 'x', subject: 'test' } });
  assert.equal(service.requests().length, 2);
});
