// The grant server's decisions without a network (spec §2.2-§2.5): every row of §2.4 in its order.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { before, beforeEach, describe, test } from 'node:test';
import {
  DEFAULT_ENDPOINTS,
  DEFAULT_EXPIRATION_WINDOW_MS,
  Grant,
  GrantRegistry,
  randomCode,
  type GrantRequest,
} from '../../../simulator/grant-service/registry.ts';
import { wireBody, type GrantAnswer } from '../../../simulator/grant-service/wire.ts';
import { getRunPki, type Pki } from '../../../simulator/pki.ts';
import { rfc3339Seconds } from '../../../model/text.ts';
import { decodeBase64, parseYamlDocuments, SKUPPER_API_VERSION, toYamlStream, type Endpoint } from '../../../model/resources.ts';
import { cn, parseRedemption, secretCertificate } from '../support.ts';

const ERROR_HEADERS = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

let pki: Pki;
let registry: GrantRegistry;

before(async () => {
  pki = await getRunPki();
});
beforeEach(() => {
  registry = new GrantRegistry(pki);
});

function post(path: string, code: string, headers: GrantRequest['headers'] = {}): GrantAnswer {
  return registry.handle({ method: 'POST', path, headers, body: Buffer.from(code, 'utf8') });
}

function assertError(answer: GrantAnswer, status: number, text: string): void {
  assert.equal(answer.status, status);
  assert.equal(wireBody(answer), `${text}\n`);
  assert.equal(answer.documents, undefined);
  assert.deepEqual(answer.headers, ERROR_HEADERS);
}

describe('a new Grant', () => {
  test('has a code of 24 alphanumerics, one redemption, and expires 15 minutes from now at second precision', () => {
    const grant = new Grant();
    assert.match(grant.code, /^[A-Za-z0-9]{24}$/);
    assert.equal(grant.redemptionsAllowed, 1);
    assert.equal(grant.redemptions, 0);
    assert.match(grant.expirationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const remaining = Date.parse(grant.expirationTime) - Date.now();
    assert.ok(remaining > DEFAULT_EXPIRATION_WINDOW_MS - 5_000 && remaining <= DEFAULT_EXPIRATION_WINDOW_MS);
  });

  test('gets a fresh random code each time', () => {
    assert.notEqual(randomCode(), randomCode());
    assert.equal(randomCode(10).length, 10);
  });

  test('formats times as Go RFC 3339 without fractions', () => {
    assert.equal(rfc3339Seconds(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05Z');
  });
});

describe('the answers of spec §2.4, in order', () => {
  test('answers 405 Only POST is supported for any other method', () => {
    const grant = registry.create();
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD', 'PATCH']) {
      assertError(registry.handle({ method, path: `/${grant.uid}`, headers: {}, body: Buffer.from(grant.code) }), 405, 'Only POST is supported');
    }
    assert.equal(grant.redemptions, 0);
  });

  test('answers 405 before looking up the path, so also for unknown paths and corrupted grants', () => {
    const corrupted = registry.create().corrupt();
    assertError(registry.handle({ method: 'GET', path: '/no-such-uid', headers: {}, body: Buffer.alloc(0) }), 405, 'Only POST is supported');
    assertError(registry.handle({ method: 'GET', path: '/', headers: {}, body: Buffer.alloc(0) }), 405, 'Only POST is supported');
    assertError(registry.handle({ method: 'GET', path: `/${corrupted.uid}`, headers: {}, body: Buffer.alloc(0) }), 405, 'Only POST is supported');
  });

  test('answers 404 No such claim for an unknown uid', () => {
    registry.create();
    assertError(post('/00000000-0000-0000-0000-000000000000', 'x'), 404, 'No such claim');
  });

  test('answers 404 No such claim for a deleted grant, even with its code', () => {
    const grant = registry.create();
    registry.delete(grant);
    assert.equal(grant.deleted, true);
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such claim');
  });

  test('answers 404 No such claim for / and for a path with two segments', () => {
    const grant = registry.create();
    assertError(post('/', grant.code), 404, 'No such claim');
    assertError(post(`/granting-site/${grant.name}`, grant.code), 404, 'No such claim');
  });

  test('answers 404 No such claim for every grant once the registry is cleared', () => {
    const grant = registry.create();
    registry.clear();
    assert.equal(grant.deleted, true);
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such claim');
  });

  test('answers 500 Corrupted claim when the expiration time does not parse as RFC 3339', () => {
    const grant = registry.create().corrupt();
    const answer = post(`/${grant.uid}`, grant.code);
    assertError(answer, 500, 'Corrupted claim');
    assert.equal(answer.grantUid, grant.uid);
    assert.equal(grant.redemptions, 0);
  });

  test('answers 500 Corrupted claim for an empty expiration time and for a date without a time', () => {
    for (const expirationTime of ['', '2030-01-01', '2030-01-01 00:00:00Z']) {
      const grant = registry.create({ expirationTime });
      assertError(post(`/${grant.uid}`, grant.code), 500, 'Corrupted claim');
    }
  });

  test('answers 500 Corrupted claim even when the grant is exhausted (corruption is checked first)', () => {
    const grant = registry.create({ redemptionsAllowed: 1 });
    grant.redemptions = 1;
    grant.corrupt();
    assertError(post(`/${grant.uid}`, grant.code), 500, 'Corrupted claim');
  });

  test('answers 404 No such claim for an expired grant, even with the right code', () => {
    const grant = registry.create().expire();
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such claim');
    assert.equal(grant.redemptions, 0);
  });

  test('accepts a redemption at the very instant of the expiration time and refuses it a millisecond later', () => {
    const expiry = Date.parse('2030-06-01T12:00:00Z');
    let now = expiry;
    const clocked = new GrantRegistry(pki, () => now);
    const grant = clocked.create({ expirationTime: '2030-06-01T12:00:00Z', redemptionsAllowed: 2 });
    const request = { method: 'POST', path: `/${grant.uid}`, headers: {}, body: Buffer.from(grant.code) };
    assert.equal(clocked.handle(request).status, 200);
    now = expiry + 1;
    assertError(clocked.handle(request), 404, 'No such claim');
  });

  test('honours a numeric offset in the expiration time', () => {
    const clocked = new GrantRegistry(pki, () => Date.parse('2030-06-01T12:30:00Z'));
    // 14:00+02:00 is 12:00Z: already past
    const past = clocked.create({ expirationTime: '2030-06-01T14:00:00+02:00' });
    assertError(clocked.handle({ method: 'POST', path: `/${past.uid}`, headers: {}, body: Buffer.from(past.code) }), 404, 'No such claim');
    const future = clocked.create({ expirationTime: '2030-06-01T12:00:00-02:00' });
    assert.equal(clocked.handle({ method: 'POST', path: `/${future.uid}`, headers: {}, body: Buffer.from(future.code) }).status, 200);
  });

  test('answers 404 No such access granted for an exhausted grant', () => {
    const grant = registry.create().exhaust();
    assert.equal(grant.remaining, 0);
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such access granted');
  });

  test('answers 404 No such access granted for a negative redemptionsAllowed', () => {
    const grant = registry.create({ redemptionsAllowed: -1 });
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such access granted');
  });

  test('answers 404, not 403, to a wrong code on an expired grant', () => {
    const grant = registry.create().expire();
    assertError(post(`/${grant.uid}`, 'wrong'), 404, 'No such claim');
  });

  test('answers 404, not 403, to a wrong code on an exhausted grant', () => {
    const grant = registry.create().exhaust();
    assertError(post(`/${grant.uid}`, 'wrong'), 404, 'No such access granted');
  });

  test('answers 403 Redemption of access token refused for a wrong code', () => {
    const grant = registry.create();
    const answer = post(`/${grant.uid}`, 'not-the-code');
    assertError(answer, 403, 'Redemption of access token refused');
    assert.equal(answer.grantUid, grant.uid);
    assert.equal(grant.redemptions, 0);
  });

  test('answers 403 for the code with a trailing newline, an empty body, or another case (exact byte compare)', () => {
    const grant = registry.create({ code: 'AbCdEf0123456789AbCdEf01' });
    assertError(post(`/${grant.uid}`, `${grant.code}\n`), 403, 'Redemption of access token refused');
    assertError(post(`/${grant.uid}`, ''), 403, 'Redemption of access token refused');
    assertError(post(`/${grant.uid}`, grant.code.toLowerCase()), 403, 'Redemption of access token refused');
    assertError(post(`/${grant.uid}`, ` ${grant.code}`), 403, 'Redemption of access token refused');
    assert.equal(grant.redemptions, 0);
  });

  test('answers 200 for the right code and counts the redemption', () => {
    const grant = registry.create();
    const answer = post(`/${grant.uid}`, grant.code);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.grantUid, grant.uid);
    assert.equal(grant.redemptions, 1);
    assert.equal(grant.remaining, 0);
  });

  test('counts every redemption and refuses the one past redemptionsAllowed', () => {
    const grant = registry.create({ redemptionsAllowed: 3 });
    const statuses = Array.from({ length: 5 }, () => post(`/${grant.uid}`, grant.code).status);
    assert.deepEqual(statuses, [200, 200, 200, 404, 404]);
    assert.equal(grant.redemptions, 3);
    assertError(post(`/${grant.uid}`, grant.code), 404, 'No such access granted');
  });

  test('uses the code given in the options', () => {
    const grant = registry.create({ code: 'my-own-code' });
    assert.equal(post(`/${grant.uid}`, 'my-own-code').status, 200);
  });
});

describe('the path forms of spec §2.2', () => {
  test('resolves /<uid>/ (all slashes are removed)', () => {
    const grant = registry.create();
    assert.equal(post(`/${grant.uid}/`, grant.code).status, 200);
  });

  test('resolves //<uid>', () => {
    const grant = registry.create();
    assert.equal(post(`//${grant.uid}`, grant.code).status, 200);
  });

  test('ignores a query string, as Go reads only URL.Path', () => {
    const grant = registry.create();
    assert.equal(post(`/${grant.uid}?x=1`, grant.code).status, 200);
  });

  test('does not resolve the uid without its dashes being exact', () => {
    const grant = registry.create();
    assertError(post(`/${grant.uid.toUpperCase()}`, grant.code), 404, 'No such claim');
  });
});

describe('the body of a successful redemption (spec §2.5)', () => {
  test('is typed documents until the wire: the body is their YAML stream, and reads back as them', () => {
    const grant = registry.create();
    const answer = post(`/${grant.uid}`, grant.code, { name: 'tok', subject: 'uid-1' });
    assert.deepEqual(answer.documents?.map((d) => [d.kind, d.metadata.name]), [['Secret', 'tok'], ['Link', 'tok']]);
    assert.equal(answer.text, undefined);
    assert.equal(wireBody(answer), toYamlStream([...answer.documents!]));
    assert.deepEqual(parseYamlDocuments(wireBody(answer)), answer.documents);
  });

  test('starts with a kubernetes.io/tls Secret named after the name header, with tls.crt, tls.key and ca.crt', () => {
    const grant = registry.create();
    const answer = post(`/${grant.uid}`, grant.code, { name: 'my-token', subject: 'site-uid-1' });
    assert.match(wireBody(answer), /^---\n/);
    const { secret } = parseRedemption(wireBody(answer));
    assert.equal(secret.apiVersion, 'v1');
    assert.equal(secret.kind, 'Secret');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(secret.metadata.name, 'my-token');
    assert.equal(secret.metadata.namespace, undefined);
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(decodeBase64(secret.data?.['ca.crt']), pki.ca.certPem);
    assert.match(decodeBase64(secret.data?.['tls.key']), /^-----BEGIN RSA PRIVATE KEY-----/);
  });

  test('issues a certificate whose CommonName is the subject header, signed by the CA, for client and server use', () => {
    const grant = registry.create();
    const { secret } = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok', subject: 'site-uid-42' })));
    const cert = secretCertificate(secret);
    assert.equal(cn(cert), 'site-uid-42');
    assert.equal(cert.verify(new X509Certificate(pki.ca.certPem).publicKey), true);
    assert.deepEqual([...cert.keyUsage].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(cert.checkPrivateKey(createPrivateKey(decodeBase64(secret.data?.['tls.key']))), true);
  });

  test('puts the host of every site endpoint in the certificate, not only the router roles', () => {
    const endpoints: Endpoint[] = [
      { name: 'inter-router', host: 'ir.example.test', port: '55671', group: 'g' },
      { name: 'claims', host: 'claims.example.test', port: '8081', group: 'g' },
      { name: 'edge', host: '10.9.8.7', port: '45671', group: 'g' },
    ];
    const grant = registry.create({ endpoints });
    const cert = secretCertificate(parseRedemption(wireBody(post(`/${grant.uid}`, grant.code))).secret);
    assert.equal(cert.checkHost('ir.example.test'), 'ir.example.test');
    assert.equal(cert.checkHost('claims.example.test'), 'claims.example.test');
    assert.equal(cert.checkIP('10.9.8.7'), '10.9.8.7');
  });

  test('names the Secret and Link after the grant when the name header is missing or empty', () => {
    const grant = registry.create({ name: 'the-grant' });
    for (const headers of [{}, { name: '' }]) {
      const again = registry.create({ name: 'the-grant' });
      const { secret, links } = parseRedemption(wireBody(post(`/${again.uid}`, again.code, headers)));
      assert.equal(secret.metadata.name, 'the-grant');
      assert.deepEqual(links.map((l) => l.metadata.name), ['the-grant']);
    }
    assert.equal(grant.name, 'the-grant');
  });

  test('uses the effective name as CommonName when the subject header is missing', () => {
    const grant = registry.create({ name: 'the-grant' });
    const named = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok-a' })));
    assert.equal(cn(secretCertificate(named.secret)), 'tok-a');
    const other = registry.create({ name: 'the-grant' });
    const unnamed = parseRedemption(wireBody(post(`/${other.uid}`, other.code)));
    assert.equal(cn(secretCertificate(unnamed.secret)), 'the-grant');
  });

  test('follows the Secret with one Link named <name> for one endpoint group', () => {
    const grant = registry.create();
    const { links } = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok' })));
    assert.equal(links.length, 1);
    const [link] = links;
    assert.equal(link.apiVersion, SKUPPER_API_VERSION);
    assert.equal(link.kind, 'Link');
    assert.equal(link.metadata.name, 'tok');
    assert.equal(link.metadata.namespace, undefined);
    assert.deepEqual(link.spec.endpoints, DEFAULT_ENDPOINTS);
    assert.equal(link.spec.tlsCredentials, 'tok');
    assert.equal(link.spec.cost, undefined);
    assert.equal(link.spec.settings, undefined);
  });

  test('follows the Secret with Links <name>-1 and <name>-2 for two endpoint groups', () => {
    const endpoints: Endpoint[] = [
      { name: 'inter-router', host: 'a.example.test', port: '55671', group: 'a' },
      { name: 'edge', host: 'a.example.test', port: '45671', group: 'a' },
      { name: 'inter-router', host: 'b.example.test', port: '55671', group: 'b' },
    ];
    const grant = registry.create({ endpoints });
    const { links } = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok' })));
    assert.deepEqual(links.map((l) => l.metadata.name), ['tok-1', 'tok-2']);
    const byHost = new Map(links.map((l) => [l.spec.endpoints[0].host, l]));
    assert.deepEqual(byHost.get('a.example.test')?.spec.endpoints, endpoints.slice(0, 2));
    assert.deepEqual(byHost.get('b.example.test')?.spec.endpoints, endpoints.slice(2));
    for (const link of links) assert.equal(link.spec.tlsCredentials, 'tok');
  });

  test('treats endpoints without a group as one group of their own', () => {
    const endpoints: Endpoint[] = [
      { name: 'inter-router', host: 'x.example.test', port: '55671' },
      { name: 'inter-router', host: 'y.example.test', port: '55671', group: 'y' },
    ];
    const grant = registry.create({ endpoints });
    const { links } = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok' })));
    assert.equal(links.length, 2);
  });

  test('keeps only inter-router and edge endpoints in the Links, in site order', () => {
    const endpoints: Endpoint[] = [
      { name: 'claims', host: 'h.example.test', port: '8081', group: 'g' },
      { name: 'edge', host: 'h.example.test', port: '45671', group: 'g' },
      { name: 'console', host: 'h.example.test', port: '8080', group: 'g' },
      { name: 'inter-router', host: 'h.example.test', port: '55671', group: 'g' },
    ];
    const grant = registry.create({ endpoints });
    const { links } = parseRedemption(wireBody(post(`/${grant.uid}`, grant.code, { name: 'tok' })));
    assert.deepEqual(links.map((l) => l.spec.endpoints.map((e) => e.name)), [['edge', 'inter-router']]);
  });

  test('answers the Secret and no Link when no endpoint is inter-router or edge', () => {
    const grant = registry.create({ endpoints: [{ name: 'claims', host: 'h.example.test', port: '8081', group: 'g' }] });
    const answer = post(`/${grant.uid}`, grant.code, { name: 'tok' });
    assert.equal(answer.status, 200);
    const { secret, links } = parseRedemption(wireBody(answer));
    assert.equal(secret.kind, 'Secret');
    assert.deepEqual(links, []);
    assert.equal(grant.redemptions, 1);
  });
});
