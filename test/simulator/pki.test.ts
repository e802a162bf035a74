import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { getRunPki, pkiFromKeys, pkiKeys, WRONG_HOST, type Pki } from '../../simulator/pki.ts';
import { cn, openssl, opensslExtension } from './support.ts';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let pki: Pki;
let ca: X509Certificate;
let unrelatedCa: X509Certificate;

before(async () => {
  pki = await getRunPki();
  ca = new X509Certificate(pki.ca.certPem);
  unrelatedCa = new X509Certificate(pki.unrelatedCa.certPem);
});

describe('the run PKI', () => {
  test('is made once per process: getRunPki answers the same PKI every time', async () => {
    assert.equal(await getRunPki(), pki);
  });

  test('names localhost and 127.0.0.1 as the server hosts by default', () => {
    assert.deepEqual(pki.hosts, ['localhost', '127.0.0.1']);
  });
});

describe('the CA', () => {
  test('is a CA: basicConstraints CA:TRUE, critical', () => {
    assert.equal(ca.ca, true);
    assert.match(opensslExtension(pki.ca.certPem, 'basicConstraints'), /CA:TRUE/);
    assert.match(openssl(pki.ca.certPem, '-ext', 'basicConstraints'), /critical/);
  });

  test('may sign certificates: keyUsage has Certificate Sign', () => {
    assert.match(opensslExtension(pki.ca.certPem, 'keyUsage'), /Certificate Sign/);
  });

  test('is self-signed and verifies with its own key', () => {
    assert.equal(ca.issuer, ca.subject);
    assert.equal(ca.verify(ca.publicKey), true);
  });

  test('is a different CA from the unrelated one', () => {
    assert.notEqual(ca.fingerprint256, unrelatedCa.fingerprint256);
    assert.equal(unrelatedCa.ca, true);
    assert.equal(ca.verify(unrelatedCa.publicKey), false);
  });
});

describe('the server certificate', () => {
  let server: X509Certificate;
  before(() => {
    server = new X509Certificate(pki.server.certPem);
  });

  test('is signed by the CA with SHA-256', () => {
    assert.equal(server.verify(ca.publicKey), true);
    assert.equal(server.checkIssued(ca), true);
    assert.match(openssl(pki.server.certPem, '-text'), /Signature Algorithm: sha256WithRSAEncryption/);
  });

  test('names localhost as a DNS SAN and 127.0.0.1 as an IP SAN', () => {
    assert.equal(server.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  });

  test('is for server authentication only and is no CA', () => {
    assert.deepEqual(server.keyUsage, [SERVER_AUTH]);
    assert.equal(server.ca, false);
  });

  test('carries an authority key identifier equal to the CA subject key identifier', () => {
    const aki = opensslExtension(pki.server.certPem, 'authorityKeyIdentifier').replace(/^keyid:/, '');
    const ski = opensslExtension(pki.ca.certPem, 'subjectKeyIdentifier');
    assert.match(ski, /^[0-9A-F]{2}(:[0-9A-F]{2}){19}$/);
    assert.equal(aki, ski);
  });

  test('is valid now and for years to come', () => {
    assert.ok(Date.parse(server.validFrom) < Date.now());
    assert.ok(Date.parse(server.validTo) > Date.now() + 365 * 24 * 3600 * 1000);
  });

  test('passes openssl verify against the CA, for both hosts, as a TLS server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), pki.ca.certPem);
      writeFileSync(join(dir, 'server.pem'), pki.server.certPem);
      const verify = (...extra: string[]) =>
        execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), ...extra, join(dir, 'server.pem')], { encoding: 'utf8' });
      assert.match(verify('-verify_hostname', 'localhost'), /server\.pem: OK/);
      assert.match(verify('-verify_ip', '127.0.0.1'), /server\.pem: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the deliberately bad server certificates', () => {
  test('the expired one is signed by the CA for the right hosts, and really expired', () => {
    const expired = new X509Certificate(pki.expiredServer.certPem);
    assert.equal(expired.verify(ca.publicKey), true);
    assert.equal(expired.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(Date.parse(expired.validTo) < Date.now());
    // openssl's own reading: -checkend 0 exits 1 with "Certificate will expire" for a certificate past its end
    assert.throws(
      () => openssl(pki.expiredServer.certPem, '-checkend', '0'),
      (e: { status?: number; stdout?: string }) => e.status === 1 && /will expire/.test(e.stdout ?? ''),
    );
    assert.match(openssl(pki.server.certPem, '-checkend', '0'), /will not expire/);
  });

  test('the wrong-host one is signed by the CA but fails checkHost and checkIP for the real hosts', () => {
    const wrongHost = new X509Certificate(pki.wrongHostServer.certPem);
    assert.equal(wrongHost.verify(ca.publicKey), true);
    assert.equal(wrongHost.checkHost('localhost'), undefined);
    assert.equal(wrongHost.checkIP('127.0.0.1'), undefined);
    assert.equal(wrongHost.checkHost(WRONG_HOST), WRONG_HOST);
  });

  test('the other-CA one names the right hosts but does not verify with the CA', () => {
    const otherCa = new X509Certificate(pki.otherCaServer.certPem);
    assert.equal(otherCa.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(otherCa.verify(ca.publicKey), false);
    assert.equal(otherCa.verify(unrelatedCa.publicKey), true);
  });
});

describe('client certificates', () => {
  test('carry the subject as CommonName, clientAuth, and are signed by the CA', () => {
    const client = new X509Certificate(pki.issueClientCertificate('site-uid-1234').certPem);
    assert.equal(cn(client), 'site-uid-1234');
    assert.ok(client.keyUsage.includes(CLIENT_AUTH));
    assert.equal(client.verify(ca.publicKey), true);
    assert.equal(client.ca, false);
  });

  test('name the hosts asked for, an IP literal both as IP SAN and as DNS name (as Skupper does)', () => {
    const client = new X509Certificate(pki.issueClientCertificate('s', ['router.example.test', '10.1.2.3']).certPem);
    assert.equal(client.subjectAltName, 'DNS:router.example.test, IP Address:10.1.2.3, DNS:10.1.2.3');
  });

  test('each get their own serial number', () => {
    const a = new X509Certificate(pki.issueClientCertificate('a').certPem);
    const b = new X509Certificate(pki.issueClientCertificate('a').certPem);
    assert.notEqual(a.serialNumber, b.serialNumber);
  });

  test('come with a private key matching the certificate', () => {
    const issued = pki.issueClientCertificate('k');
    assert.equal(new X509Certificate(issued.certPem).checkPrivateKey(createPrivateKey(issued.keyPem)), true);
  });
});

describe("a parallel worker's PKI (pkiKeys in the coordinator, pkiFromKeys in the worker)", () => {
  test('is the same run PKI: the same grant CA, leaf key and server certificates', async () => {
    const adopted = pkiFromKeys(pkiKeys(pki));
    for (const name of ['ca', 'server', 'expiredServer', 'wrongHostServer'] as const) {
      assert.equal(adopted[name].certPem, pki[name].certPem, name);
      assert.equal(adopted[name].keyPem, pki[name].keyPem, name);
    }
    assert.deepEqual(adopted.hosts, pki.hosts);
  });

  test('is handed no unrelated CA: it makes its own, unrelated to the grant CA, with a server certificate for the hosts', () => {
    const keys = pkiKeys(pki);
    const handed = JSON.stringify(keys);
    assert.ok(!handed.includes(pki.unrelatedCa.keyPem) && !handed.includes(pki.otherCaServer.certPem), 'the coordinator handed its unrelated CA on');
    const adopted = pkiFromKeys(keys);
    const own = new X509Certificate(adopted.unrelatedCa.certPem);
    assert.equal(own.ca, true);
    assert.notEqual(own.fingerprint256, ca.fingerprint256);
    assert.notEqual(own.fingerprint256, unrelatedCa.fingerprint256, 'a key of its own');
    assert.equal(adopted.unrelatedCa, adopted.unrelatedCa, 'made once');
    const server = new X509Certificate(adopted.otherCaServer.certPem);
    assert.equal(server.verify(own.publicKey), true);
    assert.equal(server.verify(ca.publicKey), false);
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(adopted.otherCaServer.keyPem, pki.server.keyPem, 'the leaf key, as every server certificate');
  });

  test('is handed the unrelated CA when asked: the same CA and server certificate, no key of its own', () => {
    const adopted = pkiFromKeys(pkiKeys(pki, { unrelated: true }));
    assert.equal(adopted.unrelatedCa.certPem, pki.unrelatedCa.certPem, 'the same CA, not one of its own');
    assert.equal(adopted.unrelatedCa.keyPem, pki.unrelatedCa.keyPem);
    assert.equal(adopted.otherCaServer.certPem, pki.otherCaServer.certPem);
    assert.equal(adopted.otherCaServer.keyPem, pki.server.keyPem, 'the leaf key, as every server certificate');
    const issued = new X509Certificate(adopted.unrelatedCa.issue({ commonName: 'x', usage: 'server' }).certPem);
    assert.equal(issued.verify(unrelatedCa.publicKey), true, 'it signs with the handed key');
  });

  test('issues client certificates signed by the same CA, with the leaf key', () => {
    const adopted = pkiFromKeys(pkiKeys(pki));
    const client = adopted.issueClientCertificate('worker-site', ['10.0.0.1']);
    const cert = new X509Certificate(client.certPem);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(cn(cert), 'worker-site');
    assert.equal(client.keyPem, pki.server.keyPem);
    assert.ok(cert.checkPrivateKey(createPrivateKey(client.keyPem)));
    const other = adopted.unrelatedCa.issue({ commonName: 'x', usage: 'server' });
    assert.equal(new X509Certificate(other.certPem).verify(new X509Certificate(adopted.unrelatedCa.certPem).publicKey), true);
  });

  test('loads node-forge only when a certificate is first issued', () => {
    // a worker's start should not pay for forge (simulator/pki.ts forgeLib): a fresh process, handed the
    // makings as a worker is (on stdin here: they hold private keys)
    const script = `
      const { pkiFromKeys } = await import('./simulator/pki.ts');
      const { createRequire } = await import('node:module');
      const { readFileSync } = await import('node:fs');
      const cache = createRequire(import.meta.url).cache;
      const forgeLoaded = () => Object.keys(cache).some((f) => f.includes('/node_modules/node-forge/'));
      const adopted = pkiFromKeys(JSON.parse(readFileSync(0, 'utf8')));
      const before = forgeLoaded();
      adopted.issueClientCertificate('site');
      console.log(JSON.stringify({ before, after: forgeLoaded() }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '../..'),
      input: JSON.stringify(pkiKeys(pki)),
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { before: false, after: true });
  });
});
