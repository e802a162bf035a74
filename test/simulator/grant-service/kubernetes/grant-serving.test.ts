// The reference controller's grant serving against a real API server: an AccessGrant gets its status and
// defaulted spec, is redeemable at the served URL (ending with the resource's uid), counts its
// redemptions in status, and answers 404 `No such claim` once deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { coordinates, type KubeClients } from '../../../../adapters/kubernetes/client.ts';
import { SKUPPER_API_VERSION, type AccessGrant, type Endpoint } from '../../../../model/resources.ts';
import { postCode } from '../../../../simulator/redeemer/client.ts';
import { GRANT_FINALIZER, GrantServing } from '../../../../simulator/grant-service/kubernetes/grant-serving.ts';
import { clients, createNamespace, createSite, ensureCrds, eventually, server, skip } from '../../../support/kubernetes.ts';

const ENDPOINTS: Endpoint[] = [
  { name: 'inter-router', host: 'ir.issuing.example.test', port: '55671', group: 'g' },
  { name: 'edge', host: 'edge.issuing.example.test', port: '45671', group: 'g' },
];

describe('grant serving in a real API server', { skip }, () => {
  let c: KubeClients;
  let namespace: string;
  let serving: GrantServing;
  const lines: string[] = [];

  before(async () => {
    c = clients();
    await ensureCrds(c);
    namespace = await createNamespace(c);
    const site = await createSite(c, namespace, 'issuing');
    await c.custom.replaceNamespacedCustomObjectStatus({
      ...coordinates('Site', namespace),
      name: 'issuing',
      body: { ...site, status: { status: 'Ready', endpoints: ENDPOINTS } },
    });
    serving = await GrantServing.start({ clients: c, namespace, log: (l) => lines.push(l) });
  });

  after(async () => {
    await serving?.stop();
    c?.close();
    await server?.stop();
  });

  const read = (name: string) => c.custom.getNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), name }) as Promise<AccessGrant>;

  test('a grant is issued, redeemed once, counted, refused after, and gone once deleted', async () => {
    const body: AccessGrant = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name: 'g1' }, spec: {} };
    const created = (await c.custom.createNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), body })) as AccessGrant;
    const issued = await eventually(() => read('g1'), (g) => !!g.status?.url && !!g.status.ca && !!g.status.code);
    assert.ok(issued.status?.url, `not issued: ${JSON.stringify(issued.status)}\n${lines.join('\n')}`);
    assert.ok(issued.status.url.startsWith(serving.url));
    assert.ok(issued.status.url.endsWith(`/${created.metadata.uid}`));
    assert.equal(issued.spec.redemptionsAllowed, 1);
    assert.equal(issued.status.status, 'Ready');
    assert.equal(issued.status.redemptions, 0);
    assert.ok((issued.metadata as { finalizers?: string[] }).finalizers?.includes(GRANT_FINALIZER));
    assert.deepEqual(issued.status.conditions?.map((x) => [x.type, x.status, x.observedGeneration]), [
      ['Processed', 'True', issued.metadata.generation],
      ['Ready', 'True', issued.metadata.generation],
      ['Resolved', 'True', issued.metadata.generation],
    ]);

    const url = new URL(issued.status.url);
    const { ca, code } = issued.status;
    const headers = { name: 'token-g1', subject: 'redeeming-site' };
    assert.equal((await postCode({ url, code: 'wrong', ca: ca!, headers })).status, 403);
    const ok = await postCode({ url, code: code!, ca: ca!, headers });
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /ir\.issuing\.example\.test/);
    const counted = await eventually(() => read('g1'), (g) => g.status?.redemptions === 1);
    assert.equal(counted.status?.redemptions, 1);
    const again = await postCode({ url, code: code!, ca: ca!, headers });
    assert.deepEqual([again.status, again.body.trim()], [404, 'No such access granted']);

    await c.custom.deleteNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), name: 'g1' });
    const gone = await eventually(
      () => read('g1').then(() => false, () => true),
      (g) => g,
    );
    assert.ok(gone, 'the grant was not deleted (finalizer kept)');
    const deleted = await postCode({ url, code: code!, ca: ca!, headers });
    assert.deepEqual([deleted.status, deleted.body.trim()], [404, 'No such claim']);
  });

  test('a restarted controller on the same --grant-port keeps code, expiration and count: a used-up grant stays used up', async () => {
    const body: AccessGrant = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name: 'kept' }, spec: { redemptionsAllowed: 2 } };
    await c.custom.createNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), body });
    const issued = await eventually(() => read('kept'), (g) => !!g.status?.url);
    const { url, code, ca, expirationTime } = issued.status!;
    const headers = { name: 'token-kept', subject: 'redeeming-site' };
    assert.equal((await postCode({ url: new URL(url!), code: code!, ca: ca!, headers })).status, 200);
    await eventually(() => read('kept'), (g) => g.status?.redemptions === 1);

    const port = Number(new URL(serving.url).port);
    await serving.stop();
    serving = await GrantServing.start({ clients: c, namespace, port, log: (l) => lines.push(l) });
    assert.equal(serving.url, `https://127.0.0.1:${port}`);
    const again = await eventually(() => read('kept'), (g) => g.status?.redemptions === 1 && g.status.url === url);
    assert.deepEqual([again.status?.code, again.status?.expirationTime, again.status?.url], [code, expirationTime, url]);
    // the count goes on from 1: one more redemption, then none
    assert.equal((await postCode({ url: new URL(url!), code: code!, ca: ca!, headers })).status, 200);
    const refused = await postCode({ url: new URL(url!), code: code!, ca: ca!, headers });
    assert.deepEqual([refused.status, refused.body.trim()], [404, 'No such access granted']);
    const counted = await eventually(() => read('kept'), (g) => g.status?.redemptions === 2);
    assert.equal(counted.status?.redemptions, 2);
  });

  test('an invalid expirationWindow gives status Error naming it', async () => {
    const body: AccessGrant = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name: 'mistimed' }, spec: { expirationWindow: 'iamnotaduration' } };
    await c.custom.createNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), body });
    const g = await eventually(() => read('mistimed'), (x) => x.status?.status === 'Error');
    assert.equal(g.status?.status, 'Error', JSON.stringify(g.status));
    assert.match(g.status?.message ?? '', /iamnotaduration/);
  });
});
