// The reference redeemer against hostile and broken answers (features/hostile-answers.feature): documents
// of other kinds, namespaces and owner references of the grant service's, answers cut off, stalled or tens
// of MiB; and the in-memory store's size limits, which stand in for the API server's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import { foreignDocumentText, foreignOwnerReferences, MiB } from '../../../simulator/grant-service/hostile.ts';
import { InMemoryStore, MAX_OBJECT_BYTES } from '../../../simulator/redeemer/memory-store.ts';
import { MAX_ANSWER_BYTES, postCode } from '../../../simulator/redeemer/client.ts';
import { decodeDocuments, decodeRedemptionResponse, DecodeError } from '../../../simulator/redeemer/decode.ts';
import { QUOTED_BODY_MAX, ReferenceRedeemer, type ReferenceRedeemerOptions } from '../../../simulator/redeemer/redeemer.ts';
import { ReferenceImplementation } from '../../../simulator/redeemer/implementation.ts';
import { SKUPPER_API_VERSION, toYamlStream, type AccessToken, type Link, type Secret } from '../../../model/resources.ts';
import type { Site } from '../../../adapters/contract.ts';
import { useGrantService } from '../support.ts';

let service: GrantService;

useGrantService((s) => (service = s));

let sites = 0;
function setup(options: ReferenceRedeemerOptions = {}) {
  sites += 1;
  const store = new InMemoryStore();
  const site: Site = { name: `site-${sites}`, namespace: `ns-${sites}`, uid: `uid-${sites}` };
  store.setSite(site);
  const redeemer = new ReferenceRedeemer(store, options);
  return {
    store,
    site,
    async apply(token: AccessToken): Promise<AccessToken> {
      await redeemer.checkAccessToken(store.applyAccessToken(site.namespace, token));
      return store.getAccessToken(site.namespace, token.metadata.name)!;
    },
    secrets: () => store.listSecrets(site.namespace),
    links: () => store.listLinks(site.namespace),
  };
}

const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok' }, type: 'kubernetes.io/tls', data: {} };
const link = (name: string): Link => ({ apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name }, spec: { endpoints: [] } });

describe('the decoder reads kinds', () => {
  test('a first document that is not a Secret fails the decoding', () => {
    assert.throws(() => decodeRedemptionResponse(toYamlStream([link('x')])), (e: Error) => e instanceof DecodeError && /is a Link, not a Secret/.test(e.message));
    assert.throws(() => decodeRedemptionResponse('---\nmetadata: {name: x}\n'), /of no kind, not a Secret/);
  });

  test('a document that is not a Link ends the stream there, as a broken one does', () => {
    const body = `${toYamlStream([secret, link('first')])}${foreignDocumentText('ConfigMap', 'planted')}${toYamlStream([link('after')])}`;
    assert.deepEqual(decodeRedemptionResponse(body).links.map((l) => l.metadata.name), ['first']);
    // the documents themselves, whatever their kind, for the broken redeemers that ignore it
    assert.deepEqual(decodeDocuments(body).rest.map((d) => d.kind), ['Link', 'ConfigMap', 'Link']);
  });
});

describe('the reference against a hostile answer', () => {
  test('creates a ClusterRoleBinding, a Role, a Pod or a ConfigMap after the Links as nothing, and is redeemed', async () => {
    for (const kind of ['ClusterRoleBinding', 'Role', 'Pod', 'ConfigMap'] as const) {
      const s = setup();
      service.appendToResponse(foreignDocumentText(kind, 'planted'), 1);
      const token = await s.apply(service.createGrant().accessToken('tok'));
      assert.equal(token.status?.status, 'Ready', kind);
      assert.deepEqual(s.links().map((l) => l.metadata.name), ['tok'], kind);
      assert.deepEqual(s.store.listOthers(s.site.namespace), [], kind);
    }
  });

  test("creates the Secret and Links in the token's namespace, whatever namespace the answer names", async () => {
    const s = setup();
    service.placeAnswerIn('kube-system', 1);
    const token = await s.apply(service.createGrant().accessToken('tok'));
    assert.equal(token.status?.status, 'Ready');
    assert.deepEqual([...s.secrets(), ...s.links()].map((r) => r.metadata.namespace), [s.site.namespace, s.site.namespace]);
    assert.deepEqual([s.store.listSecrets('kube-system'), s.store.listLinks('kube-system')], [[], []]);
  });

  test("replaces the answer's owner references with the Site's alone", async () => {
    const s = setup();
    service.ownAnswerBy(foreignOwnerReferences(), 1);
    await s.apply(service.createGrant().accessToken('tok'));
    for (const r of [...s.secrets(), ...s.links()]) {
      assert.deepEqual(r.metadata.ownerReferences, [{ kind: 'Site', apiVersion: SKUPPER_API_VERSION, name: s.site.name, uid: s.site.uid }]);
    }
  });

  for (const framing of ['content-length', 'chunked'] as const) {
    test(`fails an answer cut off in the middle of the Secret (${framing}) with Controller could not decode response, and creates nothing`, async () => {
      const s = setup();
      const grant = service.createGrant();
      service.cutOffAfter(undefined, framing, 1);
      const token = await s.apply(grant.accessToken('tok'));
      assert.deepEqual([token.status?.status, token.status?.message], ['Error', 'Controller could not decode response']);
      assert.deepEqual([s.secrets(), s.links()], [[], []]);
      assert.equal(grant.redemptions, 1, 'the grant service counted it: the token is spent');
    });
  }

  test('gives up on an answer whose headers came and whose body did not, at its deadline', async () => {
    for (const stall of [() => service.stallAfterHeaders(1), () => service.stallMidBody(1)]) {
      const s = setup({ timeoutMs: 300 });
      stall();
      const started = performance.now();
      const token = await s.apply(service.createGrant().accessToken('tok'));
      assert.ok(performance.now() - started < 2_000);
      assert.deepEqual([token.status?.status, token.status?.message], ['Error', 'Controller could not decode response']);
      assert.deepEqual(s.secrets(), []);
      service.recover();
    }
  });

  test('gives up on a TLS handshake that never ends, at its deadline, in the words of a timeout awaiting headers', async () => {
    const s = setup({ timeoutMs: 300 });
    service.stallHandshake(1);
    const token = await s.apply(service.createGrant().accessToken('tok'));
    assert.match(token.status?.message ?? '', /^Controller got error: Post ".*": context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)$/);
    service.recover();
  });

  test('reads no more than 4 MiB of an answer: a 200 of 40 MiB fails, and nothing is created', async () => {
    const s = setup();
    service.padSecret(40 * MiB, 1);
    const token = await s.apply(service.createGrant().accessToken('tok'));
    assert.deepEqual([token.status?.status, token.status?.message], ['Error', `Controller could not decode response: the answer is larger than ${MAX_ANSWER_BYTES} bytes`]);
    assert.deepEqual(s.secrets(), []);
  });

  test("quotes 1 KiB of a refusal's body at most: a 503 of 40 MiB gives a status the API server stores", async () => {
    const s = setup();
    service.failWith(503, 'x'.repeat(40 * MiB), 1);
    const token = await s.apply(service.createGrant().accessToken('tok'));
    assert.equal(token.status?.message, `Controller got failed response: 503 (Service Unavailable) ${'x'.repeat(QUOTED_BODY_MAX)}…`);
    // a short text is quoted as it is
    service.failWith(503, 'grant registry is syncing', 1);
    assert.equal((await s.apply(service.createGrant().accessToken('tok-2'))).status?.message, 'Controller got failed response: 503 (Service Unavailable) grant registry is syncing');
  });

  test('the client says whether an answer went past its bound, and reads past it only when loosened', async () => {
    service.failWith(500, 'y'.repeat(MAX_ANSWER_BYTES + 10));
    const options = { url: new URL(service.createGrant().url), code: 'c', ca: service.pki.ca.certPem, headers: {} };
    const bounded = await postCode(options);
    assert.deepEqual([bounded.status, bounded.oversized, bounded.body.length], [500, true, MAX_ANSWER_BYTES]);
    const unbounded = await postCode({ ...options, reading: { maxBytes: Infinity } });
    assert.deepEqual([unbounded.oversized, unbounded.body.length], [undefined, MAX_ANSWER_BYTES + 11]);
    service.recover();
  });
});

describe("the in-memory store's limits, as an API server's", () => {
  test('refuses a Secret whose data is over 1 MiB, and any object over 1.5 MiB', async () => {
    const store = new InMemoryStore();
    const big = Buffer.alloc(MiB + 1).toString('base64');
    await assert.rejects(store.createSecret('ns', { ...secret, data: { padding: big } }), /Secret "tok" is invalid: data: Too long: must have at most 1048576 bytes/);
    await assert.rejects(store.createLink('ns', { ...link('l'), metadata: { name: 'l', annotations: { a: 'x'.repeat(MAX_OBJECT_BYTES) } } }), /etcdserver: request is too large/);
    const token = store.applyAccessToken('ns', { apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: { name: 't', namespace: 'ns' }, spec: { url: 'https://x', code: 'c', ca: 'c' } });
    await assert.rejects(store.updateAccessTokenStatus({ ...token, status: { status: 'Error', message: 'x'.repeat(MAX_OBJECT_BYTES) } }), /etcdserver: request is too large/);
  });

  test('keeps resources of other kinds apart, and the reference implementation reports them as others', async () => {
    const impl = new ReferenceImplementation();
    await impl.store.createResource('ns-o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'planted' } });
    const observed = await impl.observe({ name: 's', namespace: 'ns-o', uid: 'u' });
    assert.deepEqual(observed.others?.map((r) => [r.kind, r.metadata.name, r.metadata.namespace]), [['ConfigMap', 'planted', 'ns-o']]);
    assert.deepEqual([observed.secrets, observed.links], [[], []]);
  });
});
