import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '../../../../adapters/kubernetes/client-node.ts';
import type { KubeClients } from '../../../../adapters/kubernetes/client.ts';
import { KubeStore } from '../../../../simulator/redeemer/kubernetes/kube-store.ts';
import { AlreadyExistsError } from '../../../../simulator/redeemer/store.ts';
import { encodeBase64, SKUPPER_API_VERSION, type AccessToken, type Link, type Secret } from '../../../../model/resources.ts';
import { clients, coordinates, createNamespace, createSite, createToken, ensureCrds, getToken, server, skip } from '../../../support/kubernetes.ts';

const SPEC = { url: 'https://grants.example.test:9090/uid', code: 'abc', ca: 'PEM' };

function secret(name: string): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/tls', data: { 'tls.crt': encodeBase64('c'), 'tls.key': encodeBase64('k'), 'ca.crt': encodeBase64('a') } };
}

function link(name: string): Link {
  return {
    apiVersion: SKUPPER_API_VERSION,
    kind: 'Link',
    metadata: { name },
    spec: { endpoints: [{ name: 'inter-router', host: 'h.example.test', port: '55671', group: 'g' }], tlsCredentials: name, cost: 3 },
  };
}

describe('KubeStore against a real API server', { skip }, () => {
  let c: KubeClients;
  let store: KubeStore;
  let namespace: string;

  before(async () => {
    c = clients();
    await ensureCrds(c);
    store = new KubeStore(c);
    namespace = await createNamespace(c);
  });
  after(() => server?.stop());

  test('getSite answers undefined for a namespace without a Site, then the Site with its API uid', async () => {
    assert.equal(await store.getSite(namespace), undefined);
    const site = await createSite(c, namespace, 'west');
    assert.deepEqual(await store.getSite(namespace), { name: 'west', namespace, uid: site.metadata.uid });
  });

  test('createSecret creates it in the namespace, keeping type, data and owner references', async () => {
    const s = secret('tok-1');
    s.metadata.ownerReferences = [{ apiVersion: SKUPPER_API_VERSION, kind: 'Site', name: 'west', uid: '00000000-0000-0000-0000-000000000001' }];
    await store.createSecret(namespace, s);
    const stored = await c.core.readNamespacedSecret({ namespace, name: 'tok-1' });
    assert.equal(stored.type, 'kubernetes.io/tls');
    assert.deepEqual(stored.data, s.data);
    assert.deepEqual(
      stored.metadata?.ownerReferences?.map((o) => ({ ...o })),
      [{ apiVersion: SKUPPER_API_VERSION, kind: 'Site', name: 'west', uid: '00000000-0000-0000-0000-000000000001' }],
    );
  });

  test('createSecret on a taken name throws AlreadyExistsError with the API server message', async () => {
    await assert.rejects(store.createSecret(namespace, secret('tok-1')), (err: unknown) => {
      assert.ok(err instanceof AlreadyExistsError);
      assert.equal(err.message, 'secrets "tok-1" already exists');
      return true;
    });
  });

  test('createLink creates it, and a taken name throws AlreadyExistsError', async () => {
    await store.createLink(namespace, link('tok-1'));
    const stored = (await c.custom.getNamespacedCustomObject({ ...coordinates('Link', namespace), name: 'tok-1' })) as Link;
    assert.deepEqual(stored.spec, link('tok-1').spec);
    await assert.rejects(store.createLink(namespace, link('tok-1')), (err: unknown) => {
      assert.ok(err instanceof AlreadyExistsError);
      assert.equal(err.message, 'links.skupper.io "tok-1" already exists');
      return true;
    });
  });

  test('listAccessTokens and getAccessToken read what the API server has', async () => {
    await createToken(c, namespace, 'listed', SPEC);
    assert.deepEqual((await store.listAccessTokens(namespace)).map((t) => t.metadata.name), ['listed']);
    assert.deepEqual((await store.getAccessToken(namespace, 'listed'))?.spec, SPEC);
    assert.equal(await store.getAccessToken(namespace, 'absent'), undefined);
  });

  test('updateAccessTokenStatus writes the status subresource only, and returns the stored token', async () => {
    const token = await createToken(c, namespace, 'status-1', SPEC);
    const condition = { type: 'Redeemed', status: 'True' as const, reason: 'Ready', message: 'OK', lastTransitionTime: '2026-11-28T06:00:00Z', observedGeneration: 1 };
    const written: AccessToken = {
      ...token,
      spec: { ...SPEC, code: 'changed-by-a-status-write' },
      status: { status: 'Ready', message: 'OK', redeemed: true, conditions: [condition] },
    };
    const stored = await store.updateAccessTokenStatus(written);
    assert.deepEqual(stored.status, written.status);
    assert.deepEqual(stored.spec, SPEC, 'a status write leaves the spec alone');
    assert.deepEqual((await getToken(c, namespace, 'status-1')).status, written.status);
  });

  test('updateAccessTokenStatus writes onto the newer version when the token changed meanwhile', async () => {
    const token = await createToken(c, namespace, 'status-2', SPEC);
    await c.custom.patchNamespacedCustomObject(
      { ...coordinates('AccessToken', namespace), name: 'status-2', body: { metadata: { annotations: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const stored = await store.updateAccessTokenStatus({ ...token, status: { status: 'Error', message: 'token does not have a CA' } });
    assert.equal(stored.status?.message, 'token does not have a CA');
    assert.equal(stored.metadata.annotations?.touched, 'yes');
  });

  test('updateAccessTokenStatus reports the API server refusal of an invalid condition', async () => {
    const token = await createToken(c, namespace, 'status-3', SPEC);
    const bad = { type: 'Redeemed', status: 'Maybe', reason: 'Ready', message: 'OK', lastTransitionTime: '2026-11-28T06:00:00Z' };
    await assert.rejects(
      store.updateAccessTokenStatus({ ...token, status: { conditions: [bad as never] } }),
      /could not update the status of accesstoken .*status-3: .*status\.conditions(\[0\])?\.status/,
    );
  });
});
