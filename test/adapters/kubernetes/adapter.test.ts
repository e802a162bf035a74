import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import create, { type KubernetesImplementation } from '../../../adapters/kubernetes/adapter.ts';
import { waitForSettledToken } from '../../../steps/judging/settle.ts';
import type { Observation, Site } from '../../../adapters/contract.ts';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import type { AccessToken } from '../../../model/resources.ts';
import { clients, coordinates, eventually, server, skip, uniqueName } from '../../support/kubernetes.ts';

/** Observes until `check` holds, waking on the adapter's watch events rather than on a timer. */
async function observeUntil(
  impl: KubernetesImplementation,
  site: Site,
  check: (o: Observation) => boolean,
  timeoutMs = 10_000,
): Promise<Observation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const observation = await impl.observe(site);
    if (check(observation) || Date.now() > deadline) return observation;
    await impl.waitForChange(site, deadline - Date.now());
  }
}

const tokenNamed = (o: Observation, name: string): AccessToken | undefined => o.accessTokens.find((t) => t.metadata.name === name);
const settled = (name: string) => (o: Observation) => !!tokenNamed(o, name)?.status?.status;

function scenarioSite(): Site {
  return { name: 'redeeming-site', namespace: uniqueName('scenario'), uid: randomUUID() };
}

describe('the kubernetes adapter (--impl kubernetes) with the in-process reference controller', { skip }, () => {
  const prefix = uniqueName('actest');
  let impl: KubernetesImplementation;
  let grants: GrantService;

  before(async () => {
    grants = await GrantService.start();
  });

  after(async () => {
    await impl?.close();
    await grants?.stop();
    await server?.stop();
  });

  test('refuses to start on a cluster without the CRDs, saying how to install them', { skip: !server?.started && 'only on an API server of this test run' }, async () => {
    await assert.rejects(create({ kubeconfig: server!.kubeconfig }), /the AccessToken CRD \(accesstokens\.skupper\.io\) is not installed in the cluster at https:\/\/127\.0\.0\.1:\d+; install it with: kubectl apply -f manifests\/crds\//);
  });

  test('starts with installCrds=true and controller=in-process', async () => {
    impl = await create({ kubeconfig: server!.kubeconfig, namespace: prefix, controller: 'in-process', installCrds: 'true' });
    assert.equal(impl.name, 'kubernetes');
    assert.deepEqual(impl.features, ['status', 'link-cost', 'resync', 'site-deletion', 'owner-references', 'token-deletion']);
  });

  test('prepareSite makes the namespace and the Site, and answers the uid the API server assigned', async () => {
    const site = scenarioSite();
    const prepared = await impl.prepareSite(site);
    assert.equal(prepared.name, site.name);
    assert.equal(prepared.namespace, `${prefix}-${site.namespace}`);
    assert.notEqual(prepared.uid, site.uid);
    const stored = (await clients().custom.getNamespacedCustomObject({ ...coordinates('Site', prepared.namespace), name: site.name })) as { metadata: { uid: string } };
    assert.equal(stored.metadata.uid, prepared.uid);
    assert.deepEqual(await impl.prepareSite(site), prepared, 'again: the same site');
    assert.deepEqual(await impl.prepareSite(prepared), prepared, 'the prepared site is accepted as well');
  });

  test('apply and observe: the token is redeemed into a Secret and a Link owned by the Site', async (t) => {
    const site = scenarioSite();
    const prepared = await impl.prepareSite(site);
    const grant = grants.createGrant();
    await impl.apply(grant.accessToken('tok', { linkCost: 5 }), site);
    const observation = await observeUntil(impl, site, settled('tok'));
    const token = tokenNamed(observation, 'tok')!;
    assert.equal(token.status?.status, 'Ready', token.status?.message);
    assert.equal(token.status?.redeemed, true);
    assert.deepEqual(observation.secrets.map((s) => [s.metadata.name, s.type]), [['tok', 'kubernetes.io/tls']]);
    assert.deepEqual(observation.links.map((l) => [l.metadata.name, l.spec.cost, l.spec.tlsCredentials]), [['tok', 5, 'tok']]);
    const owner = [{ apiVersion: 'skupper.io/v2alpha1', kind: 'Site', name: site.name, uid: prepared.uid }];
    assert.deepEqual(observation.secrets[0].metadata.ownerReferences, owner);
    assert.deepEqual(observation.links[0].metadata.ownerReferences, owner);
    assert.equal(grant.requests()[0].headers.subject, prepared.uid);
    assert.equal(typeof observation.secrets[0].metadata.creationTimestamp, 'string', 'timestamps as the API server writes them');
    t.diagnostic(`observed ${JSON.stringify(token.status)}`);
  });

  test('apply of a name already held updates that token (as kubectl apply) and keeps its status', async () => {
    const site = scenarioSite();
    const grant = grants.createGrant();
    await impl.apply(grant.accessToken('twice'), site);
    const first = tokenNamed(await observeUntil(impl, site, settled('twice')), 'twice')!;
    assert.equal(first.status?.status, 'Ready');
    assert.equal(first.metadata.generation, 1);

    await impl.apply(grant.accessToken('twice', { linkCost: 7 }), site);
    const second = tokenNamed(await impl.observe(site), 'twice')!;
    assert.equal(second.spec.linkCost, 7, 'observe() shows the update as soon as apply() returns');
    assert.equal(second.metadata.generation, 2);
    assert.deepEqual(second.status, first.status, 'a redeemed token is not redeemed again');
    assert.equal(grant.requests().length, 1);
  });

  test('apply of a token the CRD refuses throws the API server message', async () => {
    const noCa = grants.createGrant().accessToken('no-ca');
    delete (noCa.spec as Partial<AccessToken['spec']>).ca;
    await assert.rejects(impl.apply(noCa, scenarioSite()), /AccessToken\.skupper\.io "no-ca" is invalid: spec\.ca: Required value/);
  });

  test('resync hands the tokens to the controller again: a failed token is redeemed once the service answers', async () => {
    const site = scenarioSite();
    const grant = grants.createGrant();
    // the first attempt and the one its status write triggers fail
    grants.failWith(503, 'Internal error', 2);
    await impl.apply(grant.accessToken('again'), site);
    let observation = await observeUntil(impl, site, settled('again'));
    assert.equal(tokenNamed(observation, 'again')?.status?.status, 'Error');
    await impl.waitForChange(site, 300); // the attempt its own status write triggers
    assert.equal(grant.requests().length, 2);

    await impl.resync(site);
    observation = await observeUntil(impl, site, (o) => tokenNamed(o, 'again')?.status?.status === 'Ready');
    assert.equal(tokenNamed(observation, 'again')?.status?.status, 'Ready');
    assert.equal(grant.requests().length, 3);
  });

  test('deleteSite deletes the Site: redeemed tokens are marked by the controller', async () => {
    const site = scenarioSite();
    await impl.apply(grants.createGrant().accessToken('before-delete'), site);
    await observeUntil(impl, site, settled('before-delete'));
    await impl.deleteSite(site);
    const observation = await observeUntil(impl, site, (o) => tokenNamed(o, 'before-delete')?.status?.message !== 'OK');
    assert.equal(tokenNamed(observation, 'before-delete')?.status?.message, 'Already redeemed for a deleted site');
  });

  test('deleteToken deletes the AccessToken and returns once the watch has seen it go; the Secret and Link stay', async () => {
    const site = scenarioSite();
    await impl.apply(grants.createGrant().accessToken('to-delete'), site);
    await observeUntil(impl, site, settled('to-delete'));
    await impl.deleteToken('to-delete', site);
    const observation = await impl.observe(site);
    assert.equal(tokenNamed(observation, 'to-delete'), undefined, 'observe() no longer shows it');
    const namespace = impl.clusterNamespace(site);
    await assert.rejects(clients().custom.getNamespacedCustomObject({ ...coordinates('AccessToken', namespace), name: 'to-delete' }), /404|not found/i);
    assert.deepEqual(observation.secrets.map((s) => s.metadata.name), ['to-delete']);
    assert.deepEqual(observation.links.map((l) => l.metadata.name), ['to-delete']);
    await impl.deleteToken('to-delete', site); // a token already gone: nothing to do
  });

  test('a second site prepared before any token is applied leaves the first as it is: both redeem a token of the same name', async () => {
    const first = scenarioSite();
    const firstPrepared = await impl.prepareSite(first);
    const second = scenarioSite();
    const secondPrepared = await impl.prepareSite(second);
    assert.deepEqual(await impl.prepareSite(first), firstPrepared, 'the first site is still known, with its uid');
    const grant = grants.createGrant({ redemptionsAllowed: 2 });
    await Promise.all([impl.apply(grant.accessToken('same'), first), impl.apply(grant.accessToken('same'), second)]);
    for (const site of [first, second]) {
      const observation = await observeUntil(impl, site, settled('same'));
      assert.equal(tokenNamed(observation, 'same')?.status?.status, 'Ready', site.namespace);
      assert.deepEqual(observation.links.map((l) => l.metadata.name), ['same']);
    }
    assert.deepEqual(grant.requests().map((r) => r.headers.subject).sort(), [firstPrepared.uid, secondPrepared.uid].sort());
  });

  test('siteReady=status makes prepareSite wait until a controller has written the Site status', async () => {
    const waiting = await create({ kubeconfig: server!.kubeconfig, namespace: prefix, siteReady: 'status', siteTimeoutMs: '5000' });
    try {
      const site = scenarioSite();
      const namespace = waiting.clusterNamespace(site);
      const c = clients();
      let resolved = false;
      const preparing = waiting.prepareSite(site).finally(() => (resolved = true));
      // play the controller: once the Site exists, give it a status
      const stored = await eventually(
        () => c.custom.getNamespacedCustomObject({ ...coordinates('Site', namespace), name: site.name }).catch(() => undefined),
        (x) => x !== undefined,
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(resolved, false, 'still waiting for a status');
      await c.custom.replaceNamespacedCustomObjectStatus({ ...coordinates('Site', namespace), name: site.name, body: { ...stored, status: { status: 'Pending', message: 'Pending' } } });
      const prepared = await preparing;
      assert.equal(prepared.namespace, namespace);

      const never = create({ kubeconfig: server!.kubeconfig, namespace: prefix, siteReady: 'ready', siteTimeoutMs: '300' });
      await assert.rejects((await never).prepareSite(scenarioSite()), /did not become Ready within 300 ms; its status: \{\}/);
      await (await never).close();
    } finally {
      await waiting.close();
    }
  });

  test('redeems tokens in fresh sites one after another (timing)', async (t) => {
    const durations: number[] = [];
    const prepareDurations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const site = scenarioSite();
      const p0 = performance.now();
      await impl.prepareSite(site);
      prepareDurations.push(performance.now() - p0);
      const token = grants.createGrant().accessToken(`timed-${i}`);
      const t0 = performance.now();
      await impl.apply(token, site);
      const o = await observeUntil(impl, site, settled(token.metadata.name));
      durations.push(performance.now() - t0);
      assert.equal(tokenNamed(o, token.metadata.name)?.status?.status, 'Ready');
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    t.diagnostic(`prepareSite median ${median(prepareDurations).toFixed(0)} ms; apply→Ready median ${median(durations).toFixed(0)} ms (max ${Math.max(...durations).toFixed(0)} ms)`);
  });

  test('preparing a new site removes what the earlier scenarios made, so the controller leaves them alone', async () => {
    const earlier = scenarioSite();
    const earlierPrepared = await impl.prepareSite(earlier);
    await impl.apply(grants.createGrant().accessToken('earlier'), earlier);
    await observeUntil(impl, earlier, settled('earlier'));

    const next = await impl.prepareSite(scenarioSite());
    const c = clients();
    const count = async (kind: 'AccessToken' | 'Link' | 'Site') =>
      ((await c.custom.listNamespacedCustomObject(coordinates(kind, earlierPrepared.namespace))) as { items: unknown[] }).items.length;
    assert.deepEqual(
      { tokens: await count('AccessToken'), links: await count('Link'), sites: await count('Site'), secrets: (await c.core.listNamespacedSecret({ namespace: earlierPrepared.namespace })).items.length },
      { tokens: 0, links: 0, sites: 0, secrets: 0 },
    );
    assert.notEqual(next.namespace, earlierPrepared.namespace);
    // the earlier site is forgotten: using it again makes it anew, with a new uid
    const again = await impl.prepareSite(earlier);
    assert.equal(again.namespace, earlierPrepared.namespace);
    assert.notEqual(again.uid, earlierPrepared.uid);
  });

  test('retireSites=false keeps what earlier sites made until close()', async () => {
    const keeping = await create({ kubeconfig: server!.kubeconfig, namespace: uniqueName('actest-keep'), retireSites: 'false' });
    try {
      const first = await keeping.prepareSite(scenarioSite());
      await keeping.prepareSite(scenarioSite());
      const sites = (await clients().custom.listNamespacedCustomObject(coordinates('Site', first.namespace))) as { items: unknown[] };
      assert.equal(sites.items.length, 1);
    } finally {
      await keeping.close();
    }
    await assert.rejects(create({ kubeconfig: server!.kubeconfig, retireSites: 'maybe' }), /options\.retireSites must be "true" or "false", not "maybe"/);
  });

  test('settling through waitForChange reads the first settled status, even when another follows at once', async () => {
    // an adapter of its own, in namespaces the in-process controller does not handle: this test writes the statuses
    const own = await create({ kubeconfig: server!.kubeconfig, namespace: uniqueName('actest-settle') });
    try {
      const site = await own.prepareSite(scenarioSite());
      const c = clients();
      for (let i = 0; i < 5; i++) {
        const name = `twice-${i}`;
        await own.apply(grants.createGrant().accessToken(name), site);
        const settling = waitForSettledToken(own, site, name, { timeoutMs: 5_000 });
        await new Promise((r) => setTimeout(r, 60 + 17 * i)); // the suite's polling would be at 50 ms steps by now
        const status = (message: string, state: 'Ready' | 'Error') => ({ status: state, message, redeemed: state === 'Ready' });
        const stored = (await c.custom.getNamespacedCustomObject({ ...coordinates('AccessToken', site.namespace), name })) as AccessToken;
        const first = (await c.custom.replaceNamespacedCustomObjectStatus({
          ...coordinates('AccessToken', site.namespace),
          name,
          body: { ...stored, status: status('Controller could not create received secret: secrets "x" already exists', 'Error') },
        })) as AccessToken;
        // Skupper's controller: the extra attempt its own status write triggers, a TLS POST later
        await new Promise((r) => setTimeout(r, 12));
        await c.custom.replaceNamespacedCustomObjectStatus({
          ...coordinates('AccessToken', site.namespace),
          name,
          body: { ...first, status: status('Controller got failed response: 404 (Not Found) No such access granted', 'Error') },
        });
        const { token } = await settling;
        assert.match(token.status?.message ?? '', /already exists/, `attempt ${i}`);
      }
    } finally {
      await own.close();
    }
  });

  test('close deletes the tokens, Secrets, Links and Sites the scenarios made', async () => {
    const site = scenarioSite();
    const prepared = await impl.prepareSite(site);
    await impl.apply(grants.createGrant().accessToken('last'), site);
    await observeUntil(impl, site, settled('last'));
    await impl.close();
    const c = clients();
    const count = async (kind: 'AccessToken' | 'Link' | 'Site') =>
      ((await c.custom.listNamespacedCustomObject(coordinates(kind, prepared.namespace))) as { items: unknown[] }).items.length;
    assert.equal(await count('AccessToken'), 0);
    assert.equal(await count('Link'), 0);
    assert.equal(await count('Site'), 0);
    assert.equal((await c.core.listNamespacedSecret({ namespace: prepared.namespace })).items.length, 0);
    impl = undefined as unknown as KubernetesImplementation;
  });
});
