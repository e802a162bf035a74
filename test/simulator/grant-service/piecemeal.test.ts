// An answer of a MiB or more goes out a piece at a time (service.ts writeInPieces): the client that reads
// it all gets the same bytes and headers as one end() would have sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import { MiB } from '../../../simulator/grant-service/hostile.ts';
import { httpsRequest, parseRedemption } from '../support.ts';

test('a large answer with multi-byte characters, a surrogate pair across every piece boundary, arrives whole and exact', async (t) => {
  const service = await GrantService.start();
  t.after(() => service.stop());
  // 256 Ki characters a piece: put an emoji (two UTF-16 units) across each boundary, between 2-byte characters
  const unit = `${'é'.repeat(256 * 1024 - 1)}😀`;
  const body = `${unit.repeat(6)}the end`;
  service.failWith(503, body, 1);
  const grant = service.createGrant();
  const answer = await httpsRequest(grant.url, { body: grant.code, ca: service.pki.ca.certPem, headers: { name: 'big', subject: 's' } });
  assert.equal(answer.status, 503);
  assert.equal(answer.body, `${body}\n`);
  assert.equal(answer.headers['content-length'], String(Buffer.byteLength(`${body}\n`)));
  assert.equal(answer.headers['transfer-encoding'], undefined);
});

test('a redemption padded to 3 MiB arrives whole: a Secret with all its padding, and its Link', async (t) => {
  const service = await GrantService.start();
  t.after(() => service.stop());
  service.padSecret(3 * MiB, 1);
  const grant = service.createGrant();
  const answer = await httpsRequest(grant.url, { body: grant.code, ca: service.pki.ca.certPem, headers: { name: 'padded', subject: 's' } });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-length'], String(Buffer.byteLength(answer.body)));
  const { secret, links } = parseRedemption(answer.body);
  assert.equal(Buffer.from(secret.data!.padding, 'base64').length, 3 * MiB);
  assert.deepEqual(links.map((l) => l.metadata.name), ['padded']);
  assert.equal(grant.redemptions, 1);
});
