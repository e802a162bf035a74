// The mock grant service over real HTTPS: the request log, every fault, every endpoint variant.
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, test } from 'node:test';
import { GrantService, type RecordedRequest } from '../../../simulator/grant-service/service.ts';
import { WRONG_HOST } from '../../../simulator/pki.ts';
import { postCode, TransportError, type RedeemResponse } from '../../../simulator/redeemer/client.ts';
import { parseYamlDocuments, SKUPPER_API_VERSION, toYamlStream, type Link } from '../../../model/resources.ts';
import { cn, httpsRequest, parseRedemption, portOf, secretCertificate, tryConnect , useGrantService } from '../support.ts';

let service: GrantService;

useGrantService((s) => (service = s));

function redeem(url: string, code: string, options: { ca?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<RedeemResponse> {
  return postCode({
    url: new URL(url),
    code,
    ca: options.ca ?? service.pki.ca.certPem,
    headers: options.headers ?? { name: 'tok', subject: 'site-uid' },
    timeoutMs: options.timeoutMs,
  });
}

/** Resolves with the next request the service records. */
function nextRecorded(svc: GrantService = service): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const off = svc.onRequestAnswered((r) => {
      off();
      resolve(r);
    });
  });
}

describe('the primary endpoint', () => {
  test('listens on 127.0.0.1 and is addressed as https://127.0.0.1:PORT', async () => {
    const url = new URL(service.url);
    assert.equal(url.protocol, 'https:');
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(await tryConnect('127.0.0.1', portOf(service.url)), 'connected');
  });

  test('does not listen on other addresses', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of ['::1', ...others]) {
      assert.notEqual(await tryConnect(address, portOf(service.url)), 'connected', `reachable on ${address}`);
    }
  });

  test('redeems a grant at its URL: 200 with a Secret and a Link', async () => {
    const grant = service.createGrant();
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'tok', subject: 'uid-7' } });
    assert.equal(answer.status, 200);
    const { secret, links } = parseRedemption(answer.body);
    assert.equal(secret.metadata.name, 'tok');
    assert.equal(cn(secretCertificate(secret)), 'uid-7');
    assert.deepEqual(links.map((l) => l.metadata.name), ['tok']);
    assert.equal(grant.redemptions, 1);
  });

  test('answers 405 Only POST is supported to a GET over HTTPS', async () => {
    const grant = service.createGrant();
    const answer = await httpsRequest(grant.url, { method: 'GET', ca: service.pki.ca.certPem });
    assert.equal(answer.status, 405);
    assert.equal(answer.body, 'Only POST is supported\n');
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  });

  test('answers 403 and 404 as the registry decides', async () => {
    const grant = service.createGrant();
    assert.deepEqual(await redeem(grant.url, 'wrong'), { status: 403, statusText: 'Forbidden', body: 'Redemption of access token refused\n' });
    assert.deepEqual(await redeem(`${service.url}/nope`, grant.code), { status: 404, statusText: 'Not Found', body: 'No such claim\n' });
  });

  test('starts on the port it is asked for', async () => {
    const probe = await GrantService.start();
    const port = portOf(probe.url);
    await probe.stop();
    const fixed = await GrantService.start({ port });
    try {
      assert.equal(portOf(fixed.url), port);
    } finally {
      await fixed.stop();
    }
  });
});

describe('the request log', () => {
  test('records method, path, headers, body, protocol, TLS version and the answer', async () => {
    const grant = service.createGrant();
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'my-token', subject: 'site-uid-1' } });
    const [r] = service.requests();
    assert.equal(service.requests().length, 1);
    assert.equal(r.endpoint, 'primary');
    assert.equal(r.method, 'POST');
    assert.equal(r.path, `/${grant.uid}`);
    assert.equal(r.headers.name, 'my-token');
    assert.equal(r.headers.subject, 'site-uid-1');
    assert.equal(r.headers['content-length'], String(grant.code.length));
    assert.equal(r.body, grant.code);
    assert.equal(r.protocol, 'https');
    assert.equal(r.tlsVersion, 'TLSv1.3');
    assert.deepEqual(r.answer, { status: 200, body: answer.body });
    assert.equal(r.grantUid, grant.uid);
    assert.ok(!Number.isNaN(Date.parse(r.at)));
  });

  test('keeps the typed documents a redemption answered with, which are what was written', async () => {
    const grant = service.createGrant();
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'tok', subject: 'uid-5' } });
    const [r] = service.requests();
    assert.deepEqual(r.documents?.map((d) => [d.kind, d.metadata.name]), [['Secret', 'tok'], ['Link', 'tok']]);
    assert.equal(toYamlStream([...r.documents!]), answer.body);
    assert.deepEqual(parseYamlDocuments(answer.body), r.documents);
  });

  test('keeps no documents for an answer that is not a redemption', async () => {
    const grant = service.createGrant();
    await redeem(grant.url, 'wrong');
    service.failWith(503, undefined, 1);
    await redeem(grant.url, grant.code);
    assert.deepEqual(service.requests().map((r) => r.documents), [undefined, undefined]);
  });

  test('records refused requests with their answers too', async () => {
    const grant = service.createGrant();
    await redeem(grant.url, 'wrong');
    await httpsRequest(grant.url, { method: 'GET', ca: service.pki.ca.certPem });
    assert.deepEqual(
      service.requests().map((r) => [r.method, r.answer]),
      [
        ['POST', { status: 403, body: 'Redemption of access token refused\n' }],
        ['GET', { status: 405, body: 'Only POST is supported\n' }],
      ],
    );
  });

  test('filters by grant (also for requests the grant was never found for) and by endpoint', async () => {
    const a = service.createGrant();
    const b = service.createGrant();
    await redeem(a.url, a.code);
    await redeem(b.url, 'wrong');
    a.delete();
    await redeem(a.url, a.code);
    assert.deepEqual(a.requests().map((r) => r.answer.status), [200, 404]);
    assert.deepEqual(service.requests({ grant: b.record }).map((r) => r.answer.status), [403]);
    assert.equal(service.requests({ endpoint: 'primary' }).length, 3);
    assert.equal(service.requests({ endpoint: 'plain-http' }).length, 0);
  });

  test('tells listeners about every answered request until they unsubscribe', async () => {
    const grant = service.createGrant({ redemptionsAllowed: 2 });
    const seen: number[] = [];
    const off = service.onRequestAnswered((r) => seen.push(r.answer.status as number));
    await redeem(grant.url, grant.code);
    off();
    await redeem(grant.url, grant.code);
    assert.deepEqual(seen, [200]);
    assert.equal(service.requests().length, 2);
  });

  test('is emptied by reset(), which also forgets every grant', async () => {
    const grant = service.createGrant();
    await redeem(grant.url, 'wrong');
    service.reset();
    assert.deepEqual(service.requests(), []);
    assert.equal((await redeem(grant.url, grant.code)).status, 404);
  });
});

describe('faults', () => {
  test('failWith answers any status and body, as http.Error writes them, without consuming the grant', async () => {
    const grant = service.createGrant();
    service.failWith(418, "I'm a teapot, not a grant server");
    const answer = await httpsRequest(grant.url, { body: grant.code, ca: service.pki.ca.certPem });
    assert.equal(answer.status, 418);
    assert.equal(answer.body, "I'm a teapot, not a grant server\n");
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(grant.redemptions, 0);
  });

  test('failWith defaults the body to the status text and does not double a trailing newline', async () => {
    const grant = service.createGrant();
    service.failWith(503, undefined, 1);
    assert.equal((await redeem(grant.url, grant.code)).body, 'Service Unavailable\n');
    service.failWith(500, 'Internal error\n', 1);
    assert.equal((await redeem(grant.url, grant.code)).body, 'Internal error\n');
  });

  test('failWith(…, times) applies to that many requests, then the grant answers again', async () => {
    const grant = service.createGrant();
    service.failWith(503, 'Internal error', 2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await redeem(grant.url, grant.code)).status);
    assert.deepEqual(statuses, [503, 503, 200]);
    assert.equal(grant.redemptions, 1);
  });

  test('answerSlowly still redeems, after the delay', async () => {
    const grant = service.createGrant();
    service.answerSlowly(20);
    const answer = await redeem(grant.url, grant.code);
    assert.equal(answer.status, 200);
    assert.equal(grant.redemptions, 1);
  });

  test('answerSlowly outlasts a short client timeout: the redemption was counted before the answer was held', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.answerSlowly(60_000, 1);
    const recorded = nextRecorded();
    await assert.rejects(redeem(grant.url, grant.code, { timeoutMs: 300 }), (e: Error) => {
      assert.ok(e instanceof TransportError);
      assert.match(e.message, /context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)$/);
      return true;
    });
    assert.equal(grant.redemptions, 1, 'counted, though the answer is still held: the client that gave up has spent it');
    // recover() ends the delay: the held answer is then written, though nobody reads it
    service.recover();
    assert.equal((await recorded).answer.status, 200);
    assert.equal(grant.redemptions, 1);
  });

  test('neverAnswer keeps the client waiting until its timeout, and records a no-answer', async () => {
    const grant = service.createGrant();
    service.neverAnswer();
    await assert.rejects(redeem(grant.url, grant.code, { timeoutMs: 300 }), /context deadline exceeded/);
    assert.deepEqual(service.requests().map((r) => r.answer), [{ status: 'no-answer' }]);
    assert.equal(grant.redemptions, 0);
  });

  test('neverAnswer holds a request until reset() releases it by closing the connection', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.neverAnswer();
    const recorded = nextRecorded();
    const pending = redeem(grant.url, grant.code, { timeoutMs: 10_000 });
    await recorded;
    service.reset();
    await assert.rejects(pending, (e: Error) => e instanceof TransportError && !/deadline/.test(e.message));
  });

  test('neverAnswer holds a request until stop() releases it', { timeout: 10_000 }, async () => {
    const own = await GrantService.start();
    const grant = own.createGrant();
    own.neverAnswer();
    const recorded = nextRecorded(own);
    const pending = postCode({ url: new URL(grant.url), code: grant.code, ca: own.pki.ca.certPem, headers: {}, timeoutMs: 10_000 });
    await recorded;
    await own.stop();
    await assert.rejects(pending, (e: Error) => e instanceof TransportError && !/deadline/.test(e.message));
  });

  test('recover() releases a held request and clears the fault: the next request is answered', { timeout: 10_000 }, async () => {
    const grant = service.createGrant();
    service.neverAnswer();
    const recorded = nextRecorded();
    const pending = redeem(grant.url, grant.code, { timeoutMs: 10_000 });
    await recorded;
    service.recover();
    await assert.rejects(pending, TransportError);
    assert.equal((await redeem(grant.url, grant.code)).status, 200);
    assert.equal(service.requests().length, 2, 'recover() keeps the log');
  });

  test('resetConnection resets the connection once the request arrived, without redeeming', async () => {
    const grant = service.createGrant();
    service.resetConnection(1);
    await assert.rejects(redeem(grant.url, grant.code), (e: Error) => {
      assert.ok(e instanceof TransportError);
      assert.match(e.message, /connection reset by peer/);
      return true;
    });
    assert.deepEqual(service.requests().map((r) => r.answer), [{ status: 'reset' }]);
    assert.equal(grant.redemptions, 0);
    assert.equal((await redeem(grant.url, grant.code)).status, 200);
  });

  test('respondWithBody answers 200 with malformed YAML, and the redemption counts', async () => {
    const grant = service.createGrant();
    service.respondWithBody('---\nkind: [Secret\n');
    const answer = await redeem(grant.url, grant.code);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '---\nkind: [Secret\n');
    assert.throws(() => parseYamlDocuments(answer.body));
    assert.equal(grant.redemptions, 1);
  });

  test('respondWithBody answers 200 with an empty body', async () => {
    const grant = service.createGrant();
    service.respondWithBody('');
    const answer = await redeem(grant.url, grant.code);
    assert.deepEqual([answer.status, answer.body], [200, '']);
    assert.deepEqual(service.requests()[0].answer, { status: 200, body: '' });
    assert.equal(service.requests()[0].documents, undefined);
  });

  test('respondWithBody leaves refusals alone: a wrong code still gets 403', async () => {
    const grant = service.createGrant();
    service.respondWithBody('');
    assert.equal((await redeem(grant.url, 'wrong')).status, 403);
  });

  test('respondWithSecretOnly answers the Secret and no Link', async () => {
    const grant = service.createGrant();
    service.respondWithSecretOnly();
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'tok', subject: 'uid-9' } });
    assert.equal(answer.status, 200);
    const docs = parseYamlDocuments(answer.body) as Array<{ kind: string; metadata: { name: string } }>;
    assert.deepEqual(docs.map((d) => [d.kind, d.metadata.name]), [['Secret', 'tok']]);
    assert.equal(cn(secretCertificate(parseRedemption(answer.body).secret)), 'uid-9');
    assert.deepEqual(service.requests()[0].documents?.map((d) => d.kind), ['Secret']);
    assert.equal(grant.redemptions, 1);
  });

  test('appendToResponse adds an extra document after the good Link', async () => {
    const grant = service.createGrant();
    service.appendToResponse(`---\napiVersion: ${SKUPPER_API_VERSION}\nkind: Link\nmetadata:\n  name: extra\nspec:\n  endpoints: []\n`);
    const answer = await redeem(grant.url, grant.code);
    const docs = parseYamlDocuments(answer.body) as Array<{ kind: string; metadata: { name: string } }>;
    assert.deepEqual(docs.map((d) => [d.kind, d.metadata.name]), [['Secret', 'tok'], ['Link', 'tok'], ['Link', 'extra']]);
  });

  test('appendDocuments adds typed documents after the good Link, written as appendToResponse would write them', async () => {
    const grant = service.createGrant({ redemptionsAllowed: 2 });
    const extra: Link = { apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name: 'extra' }, spec: { endpoints: [], tlsCredentials: 'tok' } };
    service.appendDocuments([extra], 1);
    const typed = await redeem(grant.url, grant.code);
    const [r] = service.requests();
    assert.deepEqual(r.documents?.map((d) => [d.kind, d.metadata.name]), [['Secret', 'tok'], ['Link', 'tok'], ['Link', 'extra']]);
    assert.equal(typed.body, toYamlStream([...r.documents!]));
    assert.ok(typed.body.endsWith(toYamlStream([extra])));
    service.appendToResponse(toYamlStream([extra]), 1);
    const raw = await redeem(grant.url, grant.code);
    const strip = (body: string) => parseYamlDocuments(body).map((d) => (d as { kind: string; metadata: { name: string } }).metadata.name);
    assert.deepEqual(strip(raw.body), strip(typed.body));
  });

  test('appendToResponse adds a broken document after the good Link', async () => {
    const grant = service.createGrant();
    service.appendToResponse('---\nkind: Link\nspec: {endpoints: [\n');
    const answer = await redeem(grant.url, grant.code);
    assert.equal(answer.status, 200);
    const [good, broken] = answer.body.split('---\nkind: Link\nspec: {endpoints: [\n');
    assert.equal(broken, '');
    assert.deepEqual((parseYamlDocuments(good) as Array<{ kind: string }>).map((d) => d.kind), ['Secret', 'Link']);
    assert.throws(() => parseYamlDocuments(answer.body));
    // the log keeps the good documents; the broken bytes are only on the wire
    assert.deepEqual(service.requests()[0].documents?.map((d) => d.kind), ['Secret', 'Link']);
    assert.deepEqual(service.requests()[0].answer, { status: 200, body: answer.body });
  });

  test('nameAnswer names the Secret and Links as if the name header said so', async () => {
    const grant = service.createGrant();
    service.nameAnswer('someone-else', 1);
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'tok', subject: 'uid-3' } });
    const { secret, links } = parseRedemption(answer.body);
    assert.deepEqual([secret.metadata.name, ...links.map((l) => l.metadata.name), links[0].spec.tlsCredentials], ['someone-else', 'someone-else', 'someone-else']);
    assert.equal(cn(secretCertificate(secret)), 'uid-3');
    assert.equal(grant.redemptions, 1);
  });

  test('nameAnswer without a subject header issues the certificate for the name it gives', async () => {
    const grant = service.createGrant();
    service.nameAnswer('someone-else', 1);
    const answer = await redeem(grant.url, grant.code, { headers: { name: 'tok' } });
    assert.equal(cn(secretCertificate(parseRedemption(answer.body).secret)), 'someone-else');
    assert.equal(service.requests()[0].headers.name, 'tok', 'the log keeps the header that was sent');
  });

  test('redirectTo answers 307 with a Location, and neither redeems nor follows', async () => {
    const grant = service.createGrant();
    const target = service.createGrant();
    service.redirectTo(target.url, undefined, 1);
    const answer = await httpsRequest(grant.url, { body: grant.code, ca: service.pki.ca.certPem });
    assert.equal(answer.status, 307);
    assert.equal(answer.headers.location, target.url);
    assert.equal(grant.redemptions, 0);
    assert.equal(target.redemptions, 0);
    assert.equal(target.requests().length, 0);
  });

  test('redirectTo takes another redirect status', async () => {
    const grant = service.createGrant();
    service.redirectTo('https://localhost:1/elsewhere', 302);
    const answer = await redeem(grant.url, grant.code);
    assert.equal(answer.status, 302);
    assert.equal(answer.statusText, 'Found');
  });

  test('a new fault replaces the previous one', async () => {
    const grant = service.createGrant();
    service.failWith(500, 'first');
    service.failWith(502, 'second');
    assert.equal((await redeem(grant.url, grant.code)).body, 'second\n');
  });

  test('reset() clears the fault', async () => {
    service.failWith(500, 'broken');
    service.reset();
    const grant = service.createGrant();
    assert.equal((await redeem(grant.url, grant.code)).status, 200);
  });
});

describe('endpoint variants', () => {
  test('share the grants of the service and are started once', async () => {
    const grant = service.createGrant();
    const first = await service.endpoint('plain-http');
    assert.equal(await service.endpoint('plain-http'), first);
    assert.equal(await grant.urlOn('plain-http'), `${first}/${grant.uid}`);
    assert.equal(await grant.urlOn('primary'), grant.url);
  });

  test('tls12-only is refused by a TLS 1.3 client and never sees a request', async () => {
    const grant = service.createGrant();
    await assert.rejects(redeem(await grant.urlOn('tls12-only'), grant.code), (e: Error) => {
      assert.ok(e instanceof TransportError);
      assert.match(e.message, /protocol version/);
      return true;
    });
    assert.deepEqual(service.requests(), []);
  });

  test('tls12-only is reachable by a TLS 1.2 client trusting the CA', async () => {
    const grant = service.createGrant();
    const answer = await httpsRequest(await grant.urlOn('tls12-only'), { body: grant.code, ca: service.pki.ca.certPem, maxVersion: 'TLSv1.2' });
    assert.equal(answer.status, 200);
    assert.equal(answer.tlsVersion, 'TLSv1.2');
    const [r] = service.requests();
    assert.deepEqual([r.endpoint, r.tlsVersion, r.protocol], ['tls12-only', 'TLSv1.2', 'https']);
  });

  for (const [kind, code] of [
    ['expired-certificate', 'CERT_HAS_EXPIRED'],
    ['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['other-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const) {
    test(`${kind} fails verification (${code}) and never reaches the log`, async () => {
      const grant = service.createGrant();
      await assert.rejects(redeem(await grant.urlOn(kind), grant.code), (e: Error) => {
        assert.ok(e instanceof TransportError);
        assert.match(e.message, /verification failed/);
        assert.match(e.message, new RegExp(code));
        return true;
      });
      assert.deepEqual(service.requests(), []);
      assert.equal(grant.redemptions, 0);
    });
  }

  test('wrong-host serves a certificate that is valid for the wrong host name', async () => {
    const grant = service.createGrant();
    const answer = await httpsRequest(await grant.urlOn('wrong-host'), { body: grant.code, ca: service.pki.ca.certPem, servername: WRONG_HOST });
    assert.equal(answer.status, 200);
  });

  test('other-ca serves a certificate that verifies with the unrelated CA', async () => {
    const grant = service.createGrant();
    const answer = await redeem(await grant.urlOn('other-ca'), grant.code, { ca: service.pki.unrelatedCa.certPem });
    assert.equal(answer.status, 200);
    assert.equal(service.requests()[0].endpoint, 'other-ca');
  });

  test('plain-http is reachable over http and recorded as such', async () => {
    const grant = service.createGrant();
    const url = await grant.urlOn('plain-http');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    const answer = await redeem(url, grant.code);
    assert.equal(answer.status, 200);
    const [r] = service.requests();
    assert.deepEqual([r.endpoint, r.protocol, r.tlsVersion], ['plain-http', 'http', undefined]);
  });
});

describe('grant handles', () => {
  test('make an AccessToken as skupper token issue writes it', () => {
    const grant = service.createGrant();
    assert.deepEqual(grant.accessToken('my-token', { linkCost: 3 }), {
      apiVersion: SKUPPER_API_VERSION,
      kind: 'AccessToken',
      metadata: { name: 'my-token' },
      spec: { url: `${service.url}/${grant.uid}`, code: grant.code, ca: service.pki.ca.certPem, linkCost: 3 },
    });
  });

  test('expire, exhaust, corrupt and delete the grant behind the URL', async () => {
    const expired = service.createGrant().expire();
    const exhausted = service.createGrant().exhaust();
    const corrupted = service.createGrant().corrupt();
    const deleted = service.createGrant().delete();
    assert.equal((await redeem(expired.url, expired.code)).body, 'No such claim\n');
    assert.equal((await redeem(exhausted.url, exhausted.code)).body, 'No such access granted\n');
    assert.equal((await redeem(corrupted.url, corrupted.code)).body, 'Corrupted claim\n');
    assert.equal((await redeem(deleted.url, deleted.code)).body, 'No such claim\n');
  });
});

describe('stop()', () => {
  test('leaves nothing listening on any endpoint', async () => {
    const own = await GrantService.start();
    const urls = [own.url];
    for (const kind of ['tls12-only', 'expired-certificate', 'wrong-host', 'other-ca', 'plain-http'] as const) urls.push(await own.endpoint(kind));
    for (const url of urls) assert.equal(await tryConnect('127.0.0.1', portOf(url)), 'connected');
    await own.stop();
    for (const url of urls) assert.equal(await tryConnect('127.0.0.1', portOf(url)), 'ECONNREFUSED', url);
  });
});

describe('concurrent redemptions (acceptance)', () => {
  test('50 concurrent redemptions of a grant that allows 3 see exactly 3 answers 200 and 47 answers 404 No such access granted', async () => {
    const grant = service.createGrant({ redemptionsAllowed: 3 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem(grant.url, grant.code, { headers: { name: `tok-${i}`, subject: `uid-${i}` } })));
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 404);
    assert.equal(ok.length, 3);
    assert.equal(refused.length, 47);
    for (const a of refused) assert.equal(a.body, 'No such access granted\n');
    for (const a of ok) assert.equal(parseRedemption(a.body).secret.kind, 'Secret');
    assert.equal(grant.redemptions, 3);
    assert.equal(grant.requests().length, 50);
  });
});
