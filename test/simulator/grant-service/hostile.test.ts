// The grant service's hostile answers over real HTTPS: documents of other kinds, namespaces and owner
// references of its own, answers cut off before their announced end, stalled after the headers, in the
// middle of the body or in the TLS handshake, and answers of tens of MiB.
import assert from 'node:assert/strict';
import https from 'node:https';
import { describe, test } from 'node:test';
import { GrantService, LOGGED_BODY_MAX, type RecordedRequest } from '../../../simulator/grant-service/service.ts';
import { FOREIGN_KINDS, foreignDocument, foreignDocumentText, foreignOwnerReferences, MiB, paddingData } from '../../../simulator/grant-service/hostile.ts';
import { postCode, TransportError } from '../../../simulator/redeemer/client.ts';
import { parseYamlDocuments, type Secret } from '../../../model/resources.ts';
import { parseRedemption, useGrantService } from '../support.ts';

let service: GrantService;

useGrantService((s) => (service = s));

/** What a raw client saw: the headers, the bytes before the connection closed, and whether it ended as announced. */
interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  complete: boolean;
}

function rawRedeem(url: string, code: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca: service.pki.ca.certPem, agent: false, headers: { name: 'tok', subject: 'uid' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), complete: res.complete });
      res.on('error', () => undefined);
      res.on('close', done);
    });
    req.on('error', reject);
    req.end(code);
  });
}

function nextRecorded(): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const off = service.onRequestAnswered((r) => {
      off();
      resolve(r);
    });
  });
}

describe('documents the grant service has no business sending', () => {
  test('each foreign kind is a document of that kind, written as a YAML stream after the Links', async () => {
    for (const kind of FOREIGN_KINDS) {
      assert.equal(foreignDocument(kind, 'planted').kind, kind);
      assert.deepEqual(parseYamlDocuments(foreignDocumentText(kind, 'planted')), [foreignDocument(kind, 'planted')]);
    }
    const grant = service.createGrant();
    service.appendToResponse(foreignDocumentText('ClusterRoleBinding', 'planted'));
    const answer = await rawRedeem(grant.url, grant.code);
    assert.deepEqual((parseYamlDocuments(answer.body) as Array<{ kind: string }>).map((d) => d.kind), ['Secret', 'Link', 'ClusterRoleBinding']);
  });

  test('placeAnswerIn and ownAnswerBy put a namespace and owner references on every document, and the log keeps them', async () => {
    const grant = service.createGrant();
    const references = foreignOwnerReferences();
    service.placeAnswerIn('kube-system', 1);
    const placed = parseRedemption((await rawRedeem(grant.url, grant.code)).body);
    assert.deepEqual([placed.secret, ...placed.links].map((d) => d.metadata.namespace), ['kube-system', 'kube-system']);
    const other = service.createGrant();
    service.ownAnswerBy(references, 1);
    const recorded = nextRecorded();
    const owned = parseRedemption((await rawRedeem(other.url, other.code)).body);
    assert.deepEqual([owned.secret, ...owned.links].map((d) => d.metadata.ownerReferences), [references, references]);
    assert.deepEqual((await recorded).documents?.[0].metadata.ownerReferences, references);
  });
});

describe('answers cut off', () => {
  test('before the Content-Length it announced: half-way through tls.key, the redemption counted, the log holding what went out', async () => {
    const grant = service.createGrant();
    service.cutOffAfter(undefined, 'content-length', 1);
    const recorded = nextRecorded();
    const seen = await rawRedeem(grant.url, grant.code);
    assert.equal(seen.status, 200);
    assert.equal(seen.complete, false);
    assert.ok(Number(seen.headers['content-length']) > seen.body.length);
    assert.match(seen.body, /tls\.key: [A-Za-z0-9+/=]+$/);
    assert.doesNotMatch(seen.body, /kind: Link/);
    assert.equal(grant.redemptions, 1);
    const r = await recorded;
    assert.deepEqual(r.answer, { status: 200, body: seen.body });
    assert.equal(r.documents, undefined, 'the documents were not all written');
  });

  test('before the last chunk, with no Content-Length', async () => {
    const grant = service.createGrant();
    service.cutOffAfter(undefined, 'chunked', 1);
    const seen = await rawRedeem(grant.url, grant.code);
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(seen.headers['content-length'], undefined);
    assert.equal(seen.complete, false);
    assert.match(seen.body, /kind: Secret[\s\S]*tls\.key: [A-Za-z0-9+/=]+$/);
  });

  test('after the number of bytes asked for', async () => {
    const grant = service.createGrant();
    service.cutOffAfter(10, 'content-length', 1);
    const seen = await rawRedeem(grant.url, grant.code);
    assert.equal(seen.body.length, 10);
    assert.equal(seen.complete, false);
  });
});

describe('stalls', () => {
  test('stallAfterHeaders sends a 200 with its whole length announced, then nothing, until recover()', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.stallAfterHeaders(1);
    const pending = rawRedeem(grant.url, grant.code);
    const r = await nextRecorded();
    assert.deepEqual(r.answer, { status: 200, body: '' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.recover();
    const seen = await pending;
    assert.equal(seen.status, 200);
    assert.ok(Number(seen.headers['content-length']) > 0);
    assert.deepEqual([seen.body, seen.complete], ['', false]);
  });

  test('stallMidBody sends half the body, then nothing; a client with a deadline gives up reading the body', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.stallMidBody();
    await assert.rejects(
      postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 300 }),
      (e: Error) => e instanceof TransportError && /Client\.Timeout or context cancellation while reading body/.test(e.message),
    );
    const r = service.requests()[0];
    assert.equal(r.answer.status, 200);
    assert.ok('body' in r.answer && r.answer.body.length > 0);
  });

  test('stallHandshake takes the connection and never answers its ClientHello: no request arrives, until recover()', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.stallHandshake();
    await assert.rejects(
      postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 300 }),
      /awaiting headers/,
    );
    const pending = postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.recover();
    await assert.rejects(pending, (e: Error) => e instanceof TransportError && !/deadline/.test(e.message), 'recover() closes the stalled connection');
    assert.deepEqual(service.requests(), []);
    assert.equal((await postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {} })).status, 200, 'then it answers again');
  });

  test("reset() leaves what is stalled to its client's deadline (closing it would provoke a new attempt), and stalls nothing new", { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.stallAfterHeaders();
    const answer = postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 600 });
    await nextRecorded();
    service.stallHandshake();
    const handshake = postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 600 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.reset();
    // both still stalled: each ends at its own client's deadline, not with a closed connection
    await assert.rejects(answer, /Client\.Timeout or context cancellation while reading body/);
    await assert.rejects(handshake, /Client\.Timeout exceeded while awaiting headers/);
    const next = service.createGrant();
    assert.equal((await postCode({ url: new URL(next.url), code: next.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 2_000 })).status, 200);
  });

  test('stallHandshake(times) stalls that many connections, then lets the next one through', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.stallHandshake(1);
    await assert.rejects(postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {}, timeoutMs: 300 }));
    assert.equal((await postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: {} })).status, 200);
  });
});

describe('answers of tens of MiB', () => {
  test('the padding is the base64 of that many bytes, whatever the size modulo 3', () => {
    for (const bytes of [0, 1, 2, 3, 4, 5, 1000, MiB, MiB + 1, MiB + 2]) {
      const text = paddingData(bytes);
      assert.equal(text, Buffer.alloc(bytes, 0x61).toString('base64'), `${bytes} bytes`);
      assert.equal(Buffer.from(text, 'base64').length, bytes);
    }
  });

  test("padSecret makes the answer that size; the log keeps its beginning and its size", async () => {
    const grant = service.createGrant();
    service.padSecret(40 * MiB, 1);
    const recorded = nextRecorded();
    const seen = await rawRedeem(grant.url, grant.code);
    assert.ok(seen.body.length > 40 * MiB);
    assert.equal(seen.complete, true);
    const r = await recorded;
    assert.ok('body' in r.answer && r.answer.body.length < LOGGED_BODY_MAX + 100);
    assert.match('body' in r.answer ? r.answer.body : '', new RegExp(`… \\(${seen.body.length} bytes in all\\)$`));
    assert.equal(Buffer.from((r.documents?.[0] as Secret).data?.padding ?? '', 'base64').length, 40 * MiB);
  });
});
