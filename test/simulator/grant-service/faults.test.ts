// How each fault changes an exchange, without a network: answers instead of the registry, the request the
// registry sees, and the documents or bytes of a redemption.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answerInstead, changeRedemption, defaultFailureText, delivery, middleOfTheSecret, PendingFault, requestUnder } from '../../../simulator/grant-service/faults.ts';
import { redemptionAnswer, wireBody } from '../../../simulator/grant-service/wire.ts';
import { SKUPPER_API_VERSION, toYamlStream, type Link, type Secret } from '../../../model/resources.ts';

const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok', creationTimestamp: null }, type: 'kubernetes.io/tls', data: {} };
const link = (name: string): Link => ({ apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name }, spec: { endpoints: [], tlsCredentials: 'tok' } });
const redemption = redemptionAnswer([secret, link('tok')], 'uid');

describe('PendingFault', () => {
  test('applies to its number of requests, then is gone; a new one replaces it', () => {
    const pending = new PendingFault();
    pending.set({ kind: 'reset' }, 2);
    assert.deepEqual([pending.take(), pending.take(), pending.take()], [{ kind: 'reset' }, { kind: 'reset' }, undefined]);
    pending.set({ kind: 'reset' }, Infinity);
    pending.set({ kind: 'no-answer' }, Infinity);
    assert.deepEqual(pending.take(), { kind: 'no-answer' });
    pending.clear();
    assert.equal(pending.take(), undefined);
  });
});

describe('answers instead of the registry', () => {
  test('a status fault is http.Error with the body, not doubling its trailing newline', () => {
    assert.equal(wireBody(answerInstead({ kind: 'status', status: 500, body: 'x' })!), 'x\n');
    assert.equal(wireBody(answerInstead({ kind: 'status', status: 500, body: 'x\n' })!), 'x\n');
    assert.equal(defaultFailureText(503), 'Service Unavailable');
    assert.equal(defaultFailureText(509), 'Error');
  });

  test("a redirect is Go's http.Redirect", () => {
    const answer = answerInstead({ kind: 'redirect', location: 'https://x/y', status: 307 })!;
    assert.deepEqual(answer.headers, { location: 'https://x/y', 'content-type': 'text/html; charset=utf-8' });
    assert.equal(wireBody(answer), '<a href="https://x/y">Redirect</a>.\n');
  });

  test('other faults let the registry answer', () => {
    assert.equal(answerInstead({ kind: 'slow', delayMs: 1 }), undefined);
    assert.equal(answerInstead(undefined), undefined);
  });
});

describe('the request the registry sees', () => {
  test('nameAnswer makes the name header say so; nothing else changes it', () => {
    const request = { method: 'POST', path: '/uid', headers: { name: 'tok', subject: 's' }, body: Buffer.from('c') };
    assert.deepEqual(requestUnder({ kind: 'rename', name: 'other' }, request).headers, { name: 'other', subject: 's' });
    assert.equal(request.headers.name, 'tok');
    assert.equal(requestUnder({ kind: 'secret-only' }, request), request);
  });
});

describe('a redemption as a fault changes it', () => {
  test('secret-only keeps the Secret alone', () => {
    assert.deepEqual(changeRedemption({ kind: 'secret-only' }, redemption).documents, [secret]);
  });

  test('append-documents adds typed documents; append-text adds raw bytes after the stream', () => {
    assert.deepEqual(changeRedemption({ kind: 'append-documents', documents: [link('extra')] }, redemption).documents, [secret, link('tok'), link('extra')]);
    const broken = changeRedemption({ kind: 'append-text', text: '---\nkind: [\n' }, redemption);
    assert.deepEqual(broken.documents, redemption.documents);
    assert.equal(wireBody(broken), `${toYamlStream([secret, link('tok')])}---\nkind: [\n`);
  });

  test('body replaces the documents with its bytes', () => {
    const answer = changeRedemption({ kind: 'body', body: 'just some text' }, redemption);
    assert.equal(answer.documents, undefined);
    assert.equal(wireBody(answer), 'just some text');
    assert.equal(answer.grantUid, 'uid');
  });

  test('no fault leaves the answer as it is', () => {
    assert.equal(changeRedemption(undefined, redemption), redemption);
  });
});

describe('hostile answers', () => {
  test('namespace and owner-references put theirs on every document; pad-secret adds an entry to the Secret', () => {
    const placed = changeRedemption({ kind: 'namespace', namespace: 'kube-system' }, redemption);
    assert.deepEqual(placed.documents?.map((d) => d.metadata.namespace), ['kube-system', 'kube-system']);
    const references = [{ apiVersion: 'v1', kind: 'Namespace', name: 'default', uid: 'u-1' }];
    const owned = changeRedemption({ kind: 'owner-references', references }, redemption);
    assert.deepEqual(owned.documents?.map((d) => d.metadata.ownerReferences), [references, references]);
    const padded = changeRedemption({ kind: 'pad-secret', bytes: 3000 }, redemption);
    assert.equal(Buffer.from((padded.documents?.[0] as Secret).data?.padding ?? '', 'base64').length, 3000);
    assert.equal(secret.data?.padding, undefined, 'the registry\'s documents are left alone');
  });

  test('delivery: whole by default; cut off half-way through tls.key, or where asked; stalled after the headers or half the body', () => {
    const written = '---\nkind: Secret\ndata:\n  ca.crt: AAAA\n  tls.key: 0123456789\n---\nkind: Link\n';
    assert.deepEqual(delivery(undefined, written), { kind: 'whole' });
    assert.equal(middleOfTheSecret(written), written.indexOf('0123456789') + 5);
    assert.deepEqual(delivery({ kind: 'cut-off', framing: 'chunked' }, written), { kind: 'cut-off', framing: 'chunked', at: written.indexOf('0123456789') + 5 });
    assert.deepEqual(delivery({ kind: 'cut-off', framing: 'content-length', at: 7 }, written), { kind: 'cut-off', framing: 'content-length', at: 7 });
    assert.equal(middleOfTheSecret('no key here'), 5);
    assert.deepEqual(delivery({ kind: 'stall', after: 'headers' }, written), { kind: 'stall', at: 0 });
    assert.deepEqual(delivery({ kind: 'stall', after: 'half-body' }, written), { kind: 'stall', at: Math.floor(written.length / 2) });
  });
});
