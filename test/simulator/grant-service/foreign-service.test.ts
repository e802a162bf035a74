// The other grant service a redirect points to (mockttp), and the proof that nothing follows a redirect.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { FOREIGN_THREAD_NICENESS, ForeignGrantService, ForeignServiceHost } from '../../../simulator/grant-service/foreign-service.ts';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import { getRunPki } from '../../../simulator/pki.ts';
import { InMemoryStore } from '../../../simulator/redeemer/memory-store.ts';
import { postCode, TransportError } from '../../../simulator/redeemer/client.ts';
import { ReferenceRedeemer } from '../../../simulator/redeemer/redeemer.ts';
import { findCondition } from '../../../model/conditions.ts';
import { cn, httpsRequest, parseRedemption, secretCertificate } from '../support.ts';

let service: GrantService;
let foreign: ForeignGrantService;

before(async () => {
  // mockttp loads in the foreign services' thread while the run PKI's keys are made on the thread pool
  ForeignGrantService.warm();
  const pki = await getRunPki();
  service = await GrantService.start({ pki });
  foreign = await ForeignGrantService.start(pki);
});
after(async () => {
  await foreign.stop();
  await service.stop();
});

describe('the foreign grant service', () => {
  test('is addressed as https://localhost:PORT', () => {
    assert.match(foreign.url, /^https:\/\/localhost:\d+$/);
  });

  test('answers a POST from a client trusting the run CA with 200 and a valid redemption, and sees it', async () => {
    const before = (await foreign.requests()).length;
    const answer = await httpsRequest(`${foreign.url}/some-grant`, {
      body: 'any-code',
      ca: service.pki.ca.certPem,
      servername: 'localhost',
      headers: { name: 'redirected-token', subject: 'site-uid-x' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.tlsVersion, 'TLSv1.3');
    const { secret, links } = parseRedemption(answer.body);
    assert.equal(secret.metadata.name, 'redirected-token');
    assert.equal(cn(secretCertificate(secret)), 'site-uid-x');
    assert.equal(secretCertificate(secret).verify(new X509Certificate(service.pki.ca.certPem).publicKey), true);
    assert.deepEqual(links.map((l) => l.metadata.name), ['redirected-token']);

    const seen = (await foreign.requests()).slice(before);
    assert.equal(seen.length, 1);
    assert.deepEqual(
      { method: seen[0].method, path: seen[0].path, body: seen[0].body, name: seen[0].headers.name, subject: seen[0].headers.subject, protocol: seen[0].protocol },
      { method: 'POST', path: '/some-grant', body: 'any-code', name: 'redirected-token', subject: 'site-uid-x', protocol: 'https' },
    );
  });

  test('is also reachable by the redeem client (TLS 1.3, only the token CA trusted)', async () => {
    const answer = await postCode({ url: new URL(`${foreign.url}/g`), code: 'c', ca: service.pki.ca.certPem, headers: { name: 'n' } });
    assert.equal(answer.status, 200);
  });

  test('sees requests other than POST too, and refuses them', async () => {
    const before = (await foreign.requests()).length;
    const answer = await httpsRequest(`${foreign.url}/g`, { method: 'GET', ca: service.pki.ca.certPem });
    assert.equal(answer.status, 405);
    const seen = (await foreign.requests()).slice(before);
    assert.deepEqual(seen.map((r) => r.method), ['GET']);
  });

  test('is refused by a client that trusts another CA, and sees nothing', async () => {
    const before = (await foreign.requests()).length;
    await assert.rejects(
      postCode({ url: new URL(`${foreign.url}/g`), code: 'c', ca: service.pki.unrelatedCa.certPem, headers: {} }),
      (e: Error) => e instanceof TransportError && /verification failed/.test(e.message),
    );
    assert.equal((await foreign.requests()).length, before);
  });
});

describe('a redirect to the foreign grant service', () => {
  test('is not followed by the reference redeemer: the token ends in Error with a 307 message and the foreign service saw nothing', async () => {
    const before = await foreign.requests();
    const store = new InMemoryStore();
    const site = { name: 'site', namespace: 'redirected', uid: 'site-uid' };
    store.setSite(site);
    const redeemer = new ReferenceRedeemer(store);
    const grant = service.createGrant();
    service.redirectTo(`${foreign.url}/x`, 307, 1);

    await redeemer.checkAccessToken(store.applyAccessToken(site.namespace, grant.accessToken('tok')));

    const token = store.getAccessToken(site.namespace, 'tok')!;
    assert.equal(token.status?.status, 'Error');
    assert.match(token.status?.message ?? '', /^Controller got failed response: 307 \(Temporary Redirect\) /);
    assert.ok(token.status?.message?.includes(`${foreign.url}/x`), token.status?.message);
    assert.equal(findCondition(token, 'Redeemed')?.status, 'False');
    assert.deepEqual(store.listSecrets(site.namespace), []);
    assert.deepEqual(store.listLinks(site.namespace), []);
    assert.equal(grant.redemptions, 0);
    assert.deepEqual(service.requests().map((r) => r.answer.status), [307]);
    assert.deepEqual(await foreign.requests(), before);
  });
});

describe("the foreign grant service's thread", () => {
  test('runs mockttp off the thread that runs the scenarios: its module is not loaded here', async () => {
    const { createRequire } = await import('node:module');
    const mockttpEntry = createRequire(import.meta.url).resolve('mockttp');
    assert.equal(Object.keys(createRequire(import.meta.url).cache).includes(mockttpEntry), false);
  });

  test('takes a lower priority on Linux, where a thread has a nice value of its own; the thread that runs the scenarios keeps its own', { skip: process.platform !== 'linux' && 'a nice value per thread is Linux\'s' }, async () => {
    await ForeignGrantService.start(service.pki).then((s) => s.stop()); // the thread is up
    // /proc/self/task/TID/stat: the nice value is the 19th field, the 17th after the command's ")"
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const nice = readdirSync('/proc/self/task').map((tid) => ({ tid, nice: niceOf(tid) }));
    const own = niceOf(String(process.pid));
    assert.equal(own, getPriority());
    // the thread, and what it starts in its turn: a new thread takes its creator's nice value
    assert.ok(nice.some((t) => t.nice === Math.min(19, own + FOREIGN_THREAD_NICENESS)), JSON.stringify(nice));
  });

  test('a service prepared ahead is handed out at the next start with an empty log, and another is prepared for the start after', async () => {
    ForeignGrantService.prepare(service.pki);
    const first = await ForeignGrantService.start(service.pki);
    const second = await ForeignGrantService.start(service.pki);
    try {
      assert.notEqual(first.port, second.port);
      for (const s of [first, second]) {
        assert.deepEqual(await s.requests(), []);
        const answer = await httpsRequest(`${s.url}/g`, { body: 'c', ca: service.pki.ca.certPem, servername: 'localhost', headers: { name: 'n' } });
        assert.equal(answer.status, 200);
        assert.equal((await s.requests()).length, 1);
      }
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('once ended, its services refuse to tell what they saw (an empty log would read as "nothing arrived"), and a new start gets a new thread', async () => {
    const doomed = await ForeignGrantService.start(service.pki);
    await ForeignGrantService.shutdown();
    await assert.rejects(doomed.requests(), /the foreign grant service's thread ended/);
    await doomed.stop(); // nothing left to stop: no error
    const again = await ForeignGrantService.start(service.pki);
    try {
      const answer = await httpsRequest(`${again.url}/g`, { body: 'c', ca: service.pki.ca.certPem, servername: 'localhost', headers: { name: 'n' } });
      assert.equal(answer.status, 200);
      assert.equal((await again.requests()).length, 1);
    } finally {
      await again.stop();
    }
  });
});

describe("a parallel run's host of the foreign grant services (ForeignServiceHost)", () => {
  test("a worker's service started through the host answers a POST, and its log is read through the host", async () => {
    const host = await ForeignServiceHost.open(service.pki);
    host.warm();
    ForeignGrantService.useHost(host.address);
    try {
      assert.match(host.address.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const remote = await ForeignGrantService.start(service.pki);
      assert.deepEqual(await remote.requests(), []);
      const answer = await httpsRequest(`${remote.url}/g`, { body: 'c', ca: service.pki.ca.certPem, servername: 'localhost', headers: { name: 'n' } });
      assert.equal(answer.status, 200);
      const seen = await remote.requests();
      assert.deepEqual(seen.map((r) => [r.method, r.path, r.body]), [['POST', '/g', 'c']]);
      await remote.stop();
      assert.deepEqual(await remote.requests(), [], 'a stopped service is no longer the host\'s');
    } finally {
      ForeignGrantService.useHost(undefined);
      await host.close();
    }
  });

  test('refuses a caller without the run\'s secret, and once closed answers nobody', async () => {
    const host = await ForeignServiceHost.open(service.pki);
    try {
      ForeignGrantService.useHost({ ...host.address, secret: 'not-the-secret' });
      await assert.rejects(ForeignGrantService.start(service.pki), /the foreign grant service: not a caller of this run/);
      ForeignGrantService.useHost(host.address);
      await host.close();
      await assert.rejects(ForeignGrantService.start(service.pki), /the foreign grant service's host: .*ECONNREFUSED/);
    } finally {
      ForeignGrantService.useHost(undefined);
      await host.close().catch(() => undefined);
    }
  });
});
