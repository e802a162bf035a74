import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException } from '../../../../adapters/kubernetes/client-node.ts';
import { apiMessage, type KubeClients } from '../../../../adapters/kubernetes/client.ts';
import { runController } from '../../../../simulator/redeemer/kubernetes/controller.ts';
import { GrantService } from '../../../../simulator/grant-service/service.ts';
import type { AccessToken, Link } from '../../../../model/resources.ts';
import {
  clients,
  coordinates,
  createNamespace,
  createSite,
  createToken,
  EMPTY_STRING_REFUSED,
  ensureCrds,
  eventually,
  getToken,
  server,
  skip,
  uniqueName,
} from '../../../support/kubernetes.ts';

const RESYNC_SECONDS = 1;
/** This file's namespaces; its controllers leave other namespaces (other test files') alone. */
const PREFIX = uniqueName('actest-controller');
const newNamespace = (c: KubeClients) => createNamespace(c, uniqueName(PREFIX));
const ours = (namespace: string) => namespace.startsWith(`${PREFIX}-`);

describe('the reference controller against a real API server', { skip }, () => {
  let c: KubeClients;
  let grants: GrantService;
  let abort: AbortController;
  let running: Promise<void>;
  const log: string[] = [];

  const statusOf = (namespace: string, name: string) => eventually(() => getToken(c, namespace, name), (t) => !!t.status?.status);

  before(async () => {
    c = clients();
    await ensureCrds(c);
    grants = await GrantService.start();
    abort = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    running = runController({
      kubeconfig: server!.kubeconfig,
      resyncSeconds: RESYNC_SECONDS,
      namespaceFilter: ours,
      signal: abort.signal,
      log: (line) => log.push(line),
      onReady: ready,
    });
    await Promise.race([started, running]);
  });

  after(async () => {
    abort?.abort();
    await running;
    await grants?.stop();
    await server?.stop();
  });

  test('redeems a token end to end: Secret and Link owned by the Site, status Ready, Redeemed=True', async () => {
    const namespace = await newNamespace(c);
    const site = await createSite(c, namespace);
    const grant = grants.createGrant();
    const { spec } = grant.accessToken('west-token');
    const created = await createToken(c, namespace, 'west-token', spec);

    const token = await statusOf(namespace, 'west-token');
    assert.equal(token.status?.status, 'Ready', token.status?.message);
    assert.equal(token.status?.message, 'OK');
    assert.equal(token.status?.redeemed, true);
    const [condition] = token.status?.conditions ?? [];
    assert.deepEqual(
      { type: condition.type, status: condition.status, reason: condition.reason, message: condition.message, observedGeneration: condition.observedGeneration },
      { type: 'Redeemed', status: 'True', reason: 'Ready', message: 'OK', observedGeneration: created.metadata.generation },
    );

    const owner = [{ apiVersion: 'skupper.io/v2alpha1', kind: 'Site', name: site.metadata.name, uid: site.metadata.uid }];
    const secret = await c.core.readNamespacedSecret({ namespace, name: 'west-token' });
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.deepEqual(secret.metadata?.ownerReferences?.map((o) => ({ ...o })), owner);
    const link = (await c.custom.getNamespacedCustomObject({ ...coordinates('Link', namespace), name: 'west-token' })) as Link;
    assert.equal(link.spec.tlsCredentials, 'west-token');
    assert.deepEqual(link.metadata.ownerReferences, owner);

    const [request] = grant.requests();
    assert.equal(request.headers.name, 'west-token');
    assert.equal(request.headers.subject, site.metadata.uid, 'the subject is the Site uid the API server assigned');
    assert.equal(grant.redemptions, 1);
  });

  test('writes the failure to the status: an http URL ends in Error without any request', async () => {
    const namespace = await newNamespace(c);
    await createSite(c, namespace);
    const grant = grants.createGrant();
    await createToken(c, namespace, 'plain', { ...grant.accessToken('plain').spec, url: grant.url.replace('https:', 'http:') });
    const token = await statusOf(namespace, 'plain');
    assert.equal(token.status?.status, 'Error');
    assert.equal(token.status?.message, 'token url scheme must be https');
    assert.equal(token.status?.redeemed, undefined);
    assert.deepEqual(
      token.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [['Redeemed', 'False', 'Error', 'token url scheme must be https']],
    );
    assert.equal(grant.requests().length, 0);
  });

  test('a token whose CA is empty ends in Error: token does not have a CA', async (t) => {
    const namespace = await newNamespace(c);
    await createSite(c, namespace);
    try {
      await createToken(c, namespace, 'no-ca', { url: 'https://127.0.0.1:1/x', code: 'c', ca: '' });
    } catch (err) {
      if (err instanceof ApiException && EMPTY_STRING_REFUSED.test(apiMessage(err))) {
        t.skip(`this API server refuses ca: "" (${apiMessage(err)}); real clusters accept it`);
        return;
      }
      throw err;
    }
    const token = await statusOf(namespace, 'no-ca');
    assert.equal(token.status?.message, 'token does not have a CA');
  });

  test('leaves a token alone while its namespace has no Site, and redeems it at the resync after a Site appears', async () => {
    const namespace = await newNamespace(c);
    const grant = grants.createGrant();
    await createToken(c, namespace, 'early', grant.accessToken('early').spec);
    // longer than a resync period: still untouched
    await new Promise((r) => setTimeout(r, RESYNC_SECONDS * 1000 + 300));
    assert.equal((await getToken(c, namespace, 'early')).status, undefined);
    assert.equal(grant.requests().length, 0);

    await createSite(c, namespace);
    const token = await statusOf(namespace, 'early');
    assert.equal(token.status?.status, 'Ready', token.status?.message);
  });

  test('tries an unredeemed token again after its status write and at every resync until it is redeemed', async () => {
    const namespace = await newNamespace(c);
    await createSite(c, namespace);
    const grant = grants.createGrant();
    // the first attempt and the one its own status change triggers fail; the resync's succeeds
    grants.failWith(503, 'Internal error', 2);
    await createToken(c, namespace, 'retried', grant.accessToken('retried').spec);
    const failed = await statusOf(namespace, 'retried');
    const failedAt = Date.now();
    assert.equal(failed.status?.message, 'Controller got failed response: 503 (Service Unavailable) Internal error');

    const token = await eventually(() => getToken(c, namespace, 'retried'), (t) => t.status?.status === 'Ready', 5000);
    assert.equal(token.status?.status, 'Ready', token.status?.message);
    assert.deepEqual(grant.requests().map((r) => r.answer.status), [503, 503, 200]);
    assert.ok(Date.now() - failedAt <= (RESYNC_SECONDS + 1) * 1000, 'redeemed at the next resync');
  });

  test('marks redeemed tokens when their Site is deleted, and leaves unredeemed ones', async () => {
    const namespace = await newNamespace(c);
    const site = await createSite(c, namespace);
    const grant = grants.createGrant();
    await createToken(c, namespace, 'redeemed', grant.accessToken('redeemed').spec);
    await createToken(c, namespace, 'unredeemed', { ...grant.accessToken('x').spec, url: 'http://127.0.0.1:1/x' });
    assert.equal((await statusOf(namespace, 'redeemed')).status?.status, 'Ready');
    assert.equal((await statusOf(namespace, 'unredeemed')).status?.status, 'Error');

    await c.custom.deleteNamespacedCustomObject({ ...coordinates('Site', namespace), name: site.metadata.name });
    const token = await eventually(() => getToken(c, namespace, 'redeemed'), (t) => t.status?.message !== 'OK');
    assert.deepEqual(
      { status: token.status?.status, message: token.status?.message, redeemed: token.status?.redeemed },
      { status: 'Error', message: 'Already redeemed for a deleted site', redeemed: true },
    );
    assert.deepEqual(
      token.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [['Redeemed', 'True', 'Error', 'Already redeemed for a deleted site']],
    );
    const untouched: AccessToken = await getToken(c, namespace, 'unredeemed');
    assert.equal(untouched.status?.message, 'token url scheme must be https');
  });

  test('watches one namespace only when given one', async () => {
    const watched = await newNamespace(c);
    const other = await newNamespace(c);
    await Promise.all([createSite(c, watched), createSite(c, other)]);
    const stop = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    // a second controller, alone on `watched`; the file's controller handles everything as well, so
    // this checks what the scoped one logs
    const lines: string[] = [];
    const scoped = runController({ kubeconfig: server!.kubeconfig, namespace: watched, signal: stop.signal, log: (l) => lines.push(l), onReady: ready });
    await Promise.race([started, scoped]);
    await createToken(c, other, 'elsewhere', { url: 'http://127.0.0.1:1/x', code: 'c', ca: 'x' });
    await createToken(c, watched, 'here', { url: 'http://127.0.0.1:1/x', code: 'c', ca: 'x' });
    await statusOf(watched, 'here');
    await statusOf(other, 'elsewhere');
    stop.abort();
    await scoped;
    assert.ok(lines.some((l) => l.includes(`namespace ${watched}`)));
    assert.ok(!lines.some((l) => l.includes(`${other}/elsewhere`)), lines.join('\n'));
  });

  test('resolves when its signal aborts, after stopping its watches', async () => {
    const stop = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const lines: string[] = [];
    const done = runController({ kubeconfig: server!.kubeconfig, namespaceFilter: ours, signal: stop.signal, log: (l) => lines.push(l), onReady: ready });
    await Promise.race([started, done]);
    const t0 = Date.now();
    stop.abort();
    await done;
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(lines.slice(-2), ['stopping', 'stopped']);
  });
});
