// Probing a grant service's transport (steps/judging/grant-tls.ts) over real connections to the
// simulated grant service's endpoints: Skupper's TLS 1.3-only endpoint refuses a TLS 1.2-only client and a
// plain-HTTP request and serves a certificate status.ca trusts for the URL's host; the variants that
// accept TLS 1.2, serve plain HTTP, or present a certificate for another host, from another CA or expired
// are each caught, in words. A server that never answers ends every probe by its deadline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import {
  certificateProblem,
  inspectServedCertificate,
  isCertificateError,
  judgeOldTls,
  judgePlainHttp,
  judgeServedCertificate,
  plainHttpUrl,
  postOverTls12,
  postPlainHttp,
  target,
  tidyTlsMessage,
} from '../../../steps/judging/grant-tls.ts';
import { GrantService, type GrantHandle } from '../../../simulator/grant-service/service.ts';

let service: GrantService;
let grant: GrantHandle;
let silent: net.Server;
let silentUrl: URL;
const silentSockets = new Set<net.Socket>();

before(async () => {
  service = await GrantService.start();
  // a TCP server that takes connections and never says a word
  silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/uid`);
});

after(async () => {
  await service.stop();
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

async function urlOf(kind: Parameters<GrantService['endpoint']>[0], g: GrantHandle): Promise<URL> {
  return new URL(`${await service.endpoint(kind)}/${g.uid}`);
}

function freshGrant(): GrantHandle {
  grant = service.createGrant({ redemptionsAllowed: 1 });
  return grant;
}

const headers = { name: 'west', subject: 'west-uid' };

describe('AT-GTLS-001: a client offering only TLS 1.2', () => {
  test("Skupper's TLS 1.3-only endpoint refuses it, and nothing is counted", async () => {
    const g = freshGrant();
    const outcome = await postOverTls12({ url: await urlOf('primary', g), ca: service.pki.ca.certPem, code: g.code, headers });
    assert.equal(outcome.handshake, 'refused');
    assert.match(outcome.error ?? '', /protocol version/);
    assert.doesNotMatch(outcome.error ?? '', /ssl3_read_bytes|\.c:\d+/, 'the OpenSSL reason alone');
    assert.equal(judgeOldTls(outcome), undefined);
    assert.equal(g.record.redemptions, 0);
  });

  test('an endpoint that agrees to TLS 1.2 is caught, and the redemption it served is said', async () => {
    const g = freshGrant();
    const outcome = await postOverTls12({ url: await urlOf('tls12-only', g), ca: service.pki.ca.certPem, code: g.code, headers });
    assert.deepEqual({ handshake: outcome.handshake, protocol: outcome.protocol, status: outcome.status }, { handshake: 'completed', protocol: 'TLSv1.2', status: 200 });
    assert.match(judgeOldTls(outcome) ?? '', /refuse a client offering only TLS 1\.2 .* it agreed to TLSv1\.2, and answered the POST over it with 200 \(a redemption\)/);
  });

  test('a TLS 1.2 handshake that reached the server certificate counts as agreed, though the client refused the certificate', async () => {
    const g = freshGrant();
    const outcome = await postOverTls12({ url: await urlOf('tls12-only', g), ca: service.pki.unrelatedCa.certPem, code: g.code, headers });
    assert.equal(outcome.handshake, 'completed');
    assert.equal(outcome.status, undefined);
    assert.match(judgeOldTls(outcome) ?? '', /it agreed to TLSv1\.2 \(then: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.equal(g.record.redemptions, 0);
  });

  test('a server that never answers ends the probe by its deadline', async () => {
    const outcome = await postOverTls12({ url: silentUrl, ca: service.pki.ca.certPem, code: 'x', headers, timeoutMs: 150 });
    assert.deepEqual(outcome, { handshake: 'refused', error: 'no handshake within 150 ms' });
  });
});

describe('AT-GTLS-003: plain HTTP to the grant port', () => {
  test("Skupper's HTTPS endpoint serves no redemption to it, and counts nothing", async () => {
    const g = freshGrant();
    const url = await urlOf('primary', g);
    const outcome = await postPlainHttp({ url, code: g.code, headers });
    assert.equal(outcome.url, `http://${url.host}${url.pathname}`);
    assert.notEqual(outcome.status, 200);
    assert.equal(judgePlainHttp(outcome), undefined);
    assert.equal(g.record.redemptions, 0);
  });

  test('an error answer (as Go gives: 400) is no redemption either', () => {
    assert.equal(judgePlainHttp({ url: 'http://h:1/u', status: 400, body: 'Client sent an HTTP request to an HTTPS server.\n' }), undefined);
  });

  test('a port that serves plain HTTP is caught', async () => {
    const g = freshGrant();
    const outcome = await postPlainHttp({ url: await urlOf('plain-http', g), code: g.code, headers });
    assert.equal(outcome.status, 200);
    assert.match(judgePlainHttp(outcome) ?? '', /to be served no redemption .* it was answered 200/);
  });

  test('a server that never answers ends the probe by its deadline', async () => {
    const outcome = await postPlainHttp({ url: silentUrl, code: 'x', headers, timeoutMs: 150 });
    assert.equal(outcome.error, 'no answer within 150 ms');
    assert.equal(judgePlainHttp(outcome), undefined);
  });

  test("the plain URL keeps the grant's host, port and path", () => {
    assert.equal(plainHttpUrl(new URL('https://grants.example.test/u')).href, 'http://grants.example.test:443/u');
    assert.equal(plainHttpUrl(new URL('https://[::1]:9090/u?x')).href, 'http://[::1]:9090/u?x');
    assert.deepEqual(target(new URL('https://[::1]:9090/u')), { host: '::1', port: 9090 });
    assert.deepEqual(target(new URL('https://grants.example.test/u')), { host: 'grants.example.test', port: 443, servername: 'grants.example.test' });
  });
});

describe('AT-GTLS-002: the served certificate', () => {
  test('the primary endpoint is trusted through status.ca alone, for the IP host of its URL', async () => {
    const url = await urlOf('primary', freshGrant());
    const served = await inspectServedCertificate({ url, ca: service.pki.ca.certPem });
    assert.equal(served.trusted, true, served.problem);
    assert.equal(served.protocol, 'TLSv1.3');
    assert.match(served.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(judgeServedCertificate(url, served), undefined);
  });

  test('a certificate for another host, from another CA, expired, or trusted by another CA is caught', async () => {
    const cases: [Parameters<GrantService['endpoint']>[0], string, RegExp][] = [
      ['wrong-host', service.pki.ca.certPem, /not valid for the host 127\.0\.0\.1 of status\.url/],
      ['other-ca', service.pki.ca.certPem, /does not chain to status\.ca \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/],
      ['expired-certificate', service.pki.ca.certPem, /has expired/],
      ['primary', service.pki.unrelatedCa.certPem, /does not chain to status\.ca/],
    ];
    for (const [kind, ca, expected] of cases) {
      const url = await urlOf(kind, freshGrant());
      const served = await inspectServedCertificate({ url, ca });
      assert.equal(served.trusted, false, kind);
      assert.match(judgeServedCertificate(url, served) ?? '', expected, kind);
    }
  });

  test('a port where nothing listens, and a server that never answers, are said', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await inspectServedCertificate({ url: new URL(`https://127.0.0.1:${port}/u`), ca: service.pki.ca.certPem });
    assert.match(refused.problem ?? '', /no TLS handshake completed \(ECONNREFUSED/);
    const silentOutcome = await inspectServedCertificate({ url: silentUrl, ca: service.pki.ca.certPem, timeoutMs: 150 });
    assert.equal(silentOutcome.problem, 'no TLS handshake within 150 ms');
  });

  test('verification failures in words', () => {
    assert.equal(isCertificateError('CERT_HAS_EXPIRED'), true);
    assert.equal(isCertificateError('ECONNRESET'), false);
    assert.match(certificateProblem('CERT_NOT_YET_VALID', 'h', ''), /not valid now/);
    assert.match(certificateProblem('DEPTH_ZERO_SELF_SIGNED_CERT', 'h', ''), /does not chain/);
    assert.equal(tidyTlsMessage('write EPROTO 80:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../x.c:1601:'), 'tlsv1 alert protocol version');
  });
});
