// Judging a grant service's redemption answer (steps/judging/grant-answers.ts): the reference's answer
// passes every judge, and each way of getting it wrong — the Secret not first or misnamed, a certificate
// from another CA, for another key, for servers only, expired, for another subject, without a host's SAN,
// one Link for all groups, a Link with an endpoint of another role, Links misnamed, a namespace — is caught
// and said in words.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDocuments, AnswerError, answerLinks, expectedLinkNames, issuingEndpoints, judgeLinkGroups, judgeLinkNames, judgeNamedAfter, judgeNoNamespace, judgeSecret, judgeSiteEndpoints, routerGroups } from '../../../steps/judging/grant-answers.ts';
import { chainsTo, commonNames, type Credentials, judgeClientCertificate, judgeCommonName, judgeEndpointSans, keyUsageBits, leafCertificate, secretCredentials, subjectAltNames } from '../../../steps/judging/grant-certificates.ts';
import { Grant, redemptionDocuments } from '../../../simulator/grant-service/registry.ts';
import { getRunPki, type Pki } from '../../../simulator/pki.ts';
import { encodeBase64, toYamlStream, type Endpoint, type Link, type Secret } from '../../../model/resources.ts';

let pki: Pki;
before(async () => {
  pki = await getRunPki();
});

/** The reference's answer for a site with these endpoints, as it travels (YAML) and as the judges read it. */
function referenceAnswer(endpoints: Endpoint[], name = 'west-link', subject = 'west-site'): unknown[] {
  const documents = redemptionDocuments(pki, new Grant({ name: 'grant', endpoints }), name, subject);
  return answerDocuments({ status: 200, body: toYamlStream(documents) });
}

function withCredentials(documents: unknown[], change: Partial<Credentials>): unknown[] {
  const copy = structuredClone(documents) as [Secret, ...Link[]];
  const data = copy[0].data!;
  if (change.certPem !== undefined) data['tls.crt'] = encodeBase64(change.certPem);
  if (change.keyPem !== undefined) data['tls.key'] = encodeBase64(change.keyPem);
  if (change.caPem !== undefined) data['ca.crt'] = encodeBase64(change.caPem);
  return copy;
}

describe('decoding the answer', () => {
  test('a 200 YAML stream gives its documents in order', () => {
    const documents = referenceAnswer(issuingEndpoints(2));
    assert.deepEqual(
      documents.map((d) => (d as { kind: string }).kind),
      ['Secret', 'Link', 'Link'],
    );
  });

  test('anything but a 200 stops the judging, saying what came instead', () => {
    assert.throws(() => answerDocuments({ status: 404, body: 'No such claim\n' }), (e: Error) => e instanceof AnswerError && /answered 404 "No such claim"/.test(e.message));
    assert.throws(() => answerDocuments({ error: 'socket hang up' }), /no answer arrived \(socket hang up\)/);
    assert.throws(() => answerDocuments({ status: 200, body: 'a: [unclosed' }), /not parse/);
    assert.throws(() => answerDocuments({ status: 200, body: '' }), /holds none/);
  });
});

describe('AT-ANSWER-001: the Secret first', () => {
  test("the reference's Secret passes", () => {
    assert.equal(judgeSecret(referenceAnswer(issuingEndpoints(1)), 'west-link'), undefined);
  });

  test('a misnamed Secret, another type, a missing ca.crt and a Link first are each caught', () => {
    const documents = referenceAnswer(issuingEndpoints(1));
    assert.match(judgeSecret(documents, 'east-link') ?? '', /named "west-link", not "east-link"/);
    const opaque = structuredClone(documents) as [Secret];
    opaque[0].type = 'Opaque';
    assert.match(judgeSecret(opaque, 'west-link') ?? '', /type is "Opaque"/);
    const noCa = structuredClone(documents) as [Secret];
    delete noCa[0].data!['ca.crt'];
    assert.match(judgeSecret(noCa, 'west-link') ?? '', /lacks ca\.crt/);
    assert.match(judgeSecret([documents[1], documents[0]], 'west-link') ?? '', /first document .* is a Link named "west-link"/);
  });
});

describe('AT-ANSWER-002: the client certificate', () => {
  test("the reference's certificate chains, matches its key and authenticates a client", () => {
    const credentials = secretCredentials(referenceAnswer(issuingEndpoints(1)));
    assert.equal(judgeClientCertificate(credentials), undefined);
    assert.equal(keyUsageBits(leafCertificate(credentials))?.digitalSignature, true);
  });

  test('a certificate from another CA does not chain to ca.crt', () => {
    const documents = referenceAnswer(issuingEndpoints(1));
    const other = pki.unrelatedCa.issue({ commonName: 'west-site', usage: 'client-server' });
    const problem = judgeClientCertificate(secretCredentials(withCredentials(documents, { certPem: other.certPem })));
    assert.match(problem ?? '', /does not chain to ca\.crt \(issued by CN=unrelated CA/);
    assert.equal(chainsTo(other.certPem, pki.ca.certPem), false);
    assert.equal(chainsTo(other.certPem, pki.unrelatedCa.certPem + pki.ca.certPem), true, 'a ca.crt bundle is searched');
  });

  test('a tls.key of another key pair is caught, and never printed', () => {
    const documents = referenceAnswer(issuingEndpoints(1));
    const problem = judgeClientCertificate(secretCredentials(withCredentials(documents, { keyPem: pki.unrelatedCa.keyPem })));
    assert.match(problem ?? '', /tls\.key is not the private key/);
    assert.doesNotMatch(problem ?? '', /PRIVATE KEY/);
    const garbage = judgeClientCertificate(secretCredentials(withCredentials(documents, { keyPem: 'not a key' })));
    assert.match(garbage ?? '', /no private key that node:crypto can read/);
  });

  test('a certificate for servers only, an expired one and a CA are not usable for client authentication', () => {
    const documents = referenceAnswer(issuingEndpoints(1));
    const serverOnly = pki.ca.issue({ commonName: 'west-site', usage: 'server' });
    assert.match(judgeClientCertificate(secretCredentials(withCredentials(documents, { certPem: serverOnly.certPem }))) ?? '', /does not include clientAuth/);
    const expired = pki.ca.issue({ commonName: 'west-site', usage: 'client', notBefore: new Date(Date.now() - 3e9), notAfter: new Date(Date.now() - 1e9) });
    assert.match(judgeClientCertificate(secretCredentials(withCredentials(documents, { certPem: expired.certPem }))) ?? '', /it expired at/);
    assert.match(
      judgeClientCertificate(secretCredentials(withCredentials(documents, { certPem: pki.ca.certPem, keyPem: pki.ca.keyPem, caPem: pki.ca.certPem }))) ?? '',
      /a CA certificate/,
    );
  });

  test('a Secret without tls.crt cannot be judged, and says so', () => {
    const documents = structuredClone(referenceAnswer(issuingEndpoints(1))) as [Secret];
    delete documents[0].data!['tls.crt'];
    assert.throws(() => secretCredentials(documents), /hold tls\.crt/);
    const notPem = withCredentials(referenceAnswer(issuingEndpoints(1)), { certPem: 'hello' });
    assert.throws(() => leafCertificate(secretCredentials(notPem)), /holds none/);
  });
});

describe('AT-ANSWER-003 and -004: CommonName and SANs', () => {
  test('the CommonName is the subject; another is caught', () => {
    const cert = leafCertificate(secretCredentials(referenceAnswer(issuingEndpoints(1), 'west-link', '3f1c2a9e-uid')));
    assert.deepEqual(commonNames(cert), ['3f1c2a9e-uid']);
    assert.equal(judgeCommonName(cert, '3f1c2a9e-uid'), undefined);
    assert.match(judgeCommonName(cert, 'west-link') ?? '', /to be "west-link"; it is "3f1c2a9e-uid"/);
  });

  test('every endpoint host has a SAN, an IP literal as an IP SAN', () => {
    const endpoints = [...issuingEndpoints(2, { otherRole: true }), { name: 'edge', host: '10.1.2.3', port: '45671', group: 'ip' }];
    const cert = leafCertificate(secretCredentials(referenceAnswer(endpoints)));
    assert.ok(subjectAltNames(cert).ip.includes('10.1.2.3'));
    assert.equal(judgeEndpointSans(cert, endpoints), undefined);
  });

  test('a host without a SAN is named; a wildcard covers one label', () => {
    const endpoints = issuingEndpoints(2, { otherRole: true });
    const cert = leafCertificate(secretCredentials(referenceAnswer(issuingEndpoints(1))));
    const problem = judgeEndpointSans(cert, endpoints) ?? '';
    assert.match(problem, /none for skupper-claims\.issuing-site\.example\.test, skupper-inter-router-2/);
    const wildcard = pki.ca.issue({ commonName: 'x', hosts: ['*.issuing-site.example.test'], usage: 'client' });
    assert.equal(judgeEndpointSans(leafCertificate({ certPem: wildcard.certPem, caPem: '', keyPem: '' }), endpoints), undefined);
    assert.match(judgeEndpointSans(leafCertificate({ certPem: wildcard.certPem, caPem: '', keyPem: '' }), [{ host: 'a.b.issuing-site.example.test' }]) ?? '', /none for a\.b\./);
  });
});

describe('AT-ANSWER-005: one Link per endpoint group', () => {
  test("the reference's Links pass, for one, two (with another role) and three groups, in any order", () => {
    for (const endpoints of [issuingEndpoints(1), issuingEndpoints(2, { otherRole: true }), issuingEndpoints(3)]) {
      const documents = referenceAnswer(endpoints);
      assert.equal(judgeLinkGroups(documents, endpoints), undefined);
      assert.equal(judgeLinkGroups([documents[0], ...documents.slice(1).reverse()], endpoints), undefined);
    }
  });

  test('groups without a router endpoint give no Link; "" is a group', () => {
    const endpoints: Endpoint[] = [
      { name: 'inter-router', host: 'a', port: '1' },
      { name: 'claims', host: 'b', port: '2', group: 'claims' },
    ];
    assert.deepEqual([...routerGroups(endpoints).keys()], ['']);
    assert.equal(judgeLinkGroups(referenceAnswer(endpoints), endpoints), undefined);
  });

  test('one Link for all groups is caught', () => {
    const endpoints = issuingEndpoints(2);
    const [secret, ...links] = structuredClone(referenceAnswer(endpoints)) as [Secret, ...Link[]];
    const merged: Link = { ...links[0], spec: { ...links[0].spec, endpoints: links.flatMap((l) => l.spec.endpoints) } };
    const problem = judgeLinkGroups([secret, merged], endpoints) ?? '';
    assert.match(problem, /expected 2 Link\(s\).*holds 1 Link\(s\)/);
    assert.match(problem, /not the inter-router and edge endpoints of any one group/);
    assert.match(problem, /no Link holds the 2 router endpoint\(s\) of group "skupper-router-1"/);
  });

  test('a Link holding an endpoint of another role, another tlsCredentials, or a group twice is caught', () => {
    const endpoints = issuingEndpoints(2, { otherRole: true });
    const documents = structuredClone(referenceAnswer(endpoints)) as [Secret, ...Link[]];
    const withClaims = structuredClone(documents);
    withClaims[1].spec.endpoints.push(endpoints.find((e) => e.name === 'claims')!);
    assert.match(judgeLinkGroups(withClaims, endpoints) ?? '', /claims skupper-claims\.issuing-site\.example\.test:8081/);
    const otherCredentials = structuredClone(documents);
    otherCredentials[2].spec.tlsCredentials = 'east';
    assert.match(judgeLinkGroups(otherCredentials, endpoints) ?? '', /tlsCredentials "east", not the Secret's name "west-link"/);
    const twice = [documents[0], documents[1], documents[1]];
    assert.match(judgeLinkGroups(twice, endpoints) ?? '', /both hold the endpoints of group/);
    assert.match(judgeLinkGroups([documents[0]], endpoints) ?? '', /holds 0 Link\(s\)/);
  });
});

describe('AT-ANSWER-006, -007 and -008: names and namespaces', () => {
  test('Links are named <name> for one group and <name>-N for several, in any order', () => {
    assert.deepEqual(expectedLinkNames('west', 1), ['west']);
    assert.deepEqual(expectedLinkNames('west', 3), ['west-1', 'west-2', 'west-3']);
    const two = referenceAnswer(issuingEndpoints(2));
    assert.equal(judgeLinkNames(two, ['west-link-2', 'west-link-1']), undefined);
    assert.match(judgeLinkNames(two, ['west-link']) ?? '', /named "west-link"; they are named "west-link-1", "west-link-2"/);
  });

  test('a namespace on any document is caught; an empty one is none', () => {
    const documents = structuredClone(referenceAnswer(issuingEndpoints(2))) as [Secret, ...Link[]];
    assert.equal(judgeNoNamespace(documents), undefined);
    documents[0].metadata.namespace = '';
    assert.equal(judgeNoNamespace(documents), undefined);
    documents[2].metadata.namespace = 'kube-system';
    assert.match(judgeNoNamespace(documents) ?? '', /a Link named "west-link-2" carries "kube-system"/);
  });

  test('without headers, the Secret and Links are named after the grant', () => {
    const documents = referenceAnswer(issuingEndpoints(2), 'grant', 'grant');
    assert.equal(judgeNamedAfter(documents, 'grant', 2), undefined);
    const problem = judgeNamedAfter(referenceAnswer(issuingEndpoints(2), 'token-grant', 'grant'), 'grant', 2) ?? '';
    assert.match(problem, /the Secret is named "token-grant"; the Links are named "token-grant-1", "token-grant-2", not "grant-1", "grant-2"/);
    assert.equal(answerLinks(documents).length, 2);
  });
});

describe("the issuing site's endpoints", () => {
  test('groups of inter-router and edge endpoints, and another role in the first group', () => {
    const endpoints = issuingEndpoints(2, { otherRole: true });
    assert.equal(endpoints.length, 5);
    assert.equal(routerGroups(endpoints).size, 2);
    assert.equal(routerGroups(endpoints).get('skupper-router-1')!.length, 2);
    assert.equal(new Set(endpoints.map((e) => e.host)).size, 5, 'every endpoint has a host of its own');
  });

  test('a site that kept other endpoints is named', () => {
    assert.equal(judgeSiteEndpoints(issuingEndpoints(2), [...issuingEndpoints(2)].reverse()), undefined);
    assert.match(judgeSiteEndpoints(issuingEndpoints(2), issuingEndpoints(1)) ?? '', /the grant service's site has inter-router/);
  });
});
