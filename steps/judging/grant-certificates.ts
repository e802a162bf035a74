// The client certificate a redemption's Secret carries (AT-ANSWER-002, -003, -004): signed by its ca.crt,
// matching its tls.key, usable for client authentication, CommonName = the `subject` header, SANs for the
// issuing site's endpoint hosts. Judges return undefined or what was expected and observed; no key is printed.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type forge from 'node-forge';
import { decodeBase64, type Endpoint } from '../../model/resources.ts';
import { forgeLib } from '../../simulator/pki.ts';
import { isObject } from '../../model/text.ts';
import { AnswerError, answerSecret } from './grant-answers.ts';

const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OID_ANY_EKU = '2.5.29.37.0';
const OID_KEY_USAGE = '2.5.29.15';


export interface Credentials {
  /** tls.crt, ca.crt and tls.key as PEM text (the key is never printed). */
  certPem: string;
  caPem: string;
  keyPem: string;
}

/** tls.crt, tls.key and ca.crt of the answer's Secret, decoded. Throws AnswerError when one is missing. */
export function secretCredentials(documents: readonly unknown[]): Credentials {
  const secret = answerSecret(documents);
  const data = isObject(secret.data) ? secret.data : {};
  const value = (key: string) => {
    const raw = data[key];
    const text = typeof raw === 'string' ? decodeBase64(raw) : '';
    if (!text.trim()) throw new AnswerError(`expected the answer's Secret to hold ${key}; it does not`);
    return text;
  };
  return { certPem: value('tls.crt'), caPem: value('ca.crt'), keyPem: value('tls.key') };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order. Throws AnswerError naming `what` when there is none or one does not parse. */
export function parseCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new AnswerError(`expected ${what} to hold a PEM certificate; it holds none`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (e) {
      throw new AnswerError(`expected ${what} to hold PEM certificates; certificate ${i + 1} does not parse (${(e as Error).message})`);
    }
  });
}

/** The leaf certificate of tls.crt. */
export function leafCertificate(credentials: Credentials): X509Certificate {
  return parseCertificates(credentials.certPem, "the Secret's tls.crt")[0];
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Whether tls.crt's leaf chains to a certificate of ca.crt, through intermediates tls.crt may carry after it. */
export function chainsTo(certPem: string, caPem: string): boolean {
  const [leaf, ...intermediates] = parseCertificates(certPem, "the Secret's tls.crt");
  const roots = parseCertificates(caPem, "the Secret's ca.crt");
  let current = leaf;
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (roots.some((root) => signedBy(current, root))) return true;
    const next = intermediates.find((i) => i !== current && signedBy(current, i));
    if (!next) return false;
    current = next;
  }
  return false;
}

/** The keyUsage bits of a certificate (digitalSignature first), or undefined when it has no keyUsage extension. */
export function keyUsageBits(cert: X509Certificate): { digitalSignature: boolean; keyEncipherment: boolean } | undefined {
  // node:crypto shows the extended key usage only: the keyUsage extension is read from the DER (any key type)
  const { asn1, util } = forgeLib();
  const root = asn1.fromDer(util.createBuffer(cert.raw.toString('binary')));
  const tbs = (root.value as forge.asn1.Asn1[])[0];
  const explicit = (tbs.value as forge.asn1.Asn1[]).find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const extensions = explicit ? ((explicit.value as forge.asn1.Asn1[])[0]?.value as forge.asn1.Asn1[]) : [];
  for (const ext of extensions ?? []) {
    const parts = ext.value as forge.asn1.Asn1[];
    if (asn1.derToOid(util.createBuffer(parts[0].value as string)) !== OID_KEY_USAGE) continue;
    const octets = parts[parts.length - 1].value as string;
    const bitString = asn1.fromDer(util.createBuffer(octets));
    const bytes = bitString.value as string;
    // the first byte of a BIT STRING counts the unused bits; bit 0 (the high bit) is digitalSignature, bit 2 keyEncipherment
    const first = bytes.length > 1 ? bytes.charCodeAt(1) : 0;
    return { digitalSignature: (first & 0x80) !== 0, keyEncipherment: (first & 0x20) !== 0 };
  }
  return undefined;
}

/**
 * Undefined when tls.crt chains to ca.crt, matches tls.key and can authenticate a TLS client now (extended
 * key usage clientAuth, or none; keyUsage digitalSignature, or none; within its validity); otherwise what fails.
 */
export function judgeClientCertificate(credentials: Credentials, now: Date = new Date()): string | undefined {
  const problems: string[] = [];
  const leaf = leafCertificate(credentials);
  if (!chainsTo(credentials.certPem, credentials.caPem)) {
    problems.push(`it does not chain to ca.crt (issued by ${oneLine(leaf.issuer)}; ca.crt holds ${parseCertificates(credentials.caPem, "the Secret's ca.crt").map((c) => oneLine(c.subject)).join(', ')})`);
  }
  let keyMatches = false;
  try {
    keyMatches = leaf.checkPrivateKey(createPrivateKey(credentials.keyPem));
    if (!keyMatches) problems.push('tls.key is not the private key of its public key');
  } catch {
    problems.push('tls.key holds no private key that node:crypto can read');
  }
  const eku = leaf.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(OID_CLIENT_AUTH) && !eku.includes(OID_ANY_EKU)) {
    problems.push(`its extended key usage (${eku.join(', ')}) does not include clientAuth (${OID_CLIENT_AUTH})`);
  }
  const bits = keyUsageBits(leaf);
  if (bits && !bits.digitalSignature) problems.push('its keyUsage does not include digitalSignature, which a TLS client signs with');
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  if (!(from.getTime() <= now.getTime())) problems.push(`it is not valid before ${leaf.validFrom}`);
  if (!(now.getTime() <= to.getTime())) problems.push(`it expired at ${leaf.validTo}`);
  if (leaf.ca) problems.push('it is a CA certificate, not a site\'s certificate');
  return problems.length === 0 ? undefined : `expected the Secret's tls.crt to chain to its ca.crt, match its tls.key and be usable for client authentication; ${problems.join('; ')}`;
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/** The CommonName(s) of a certificate's subject. */
export function commonNames(cert: X509Certificate): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
}

/** Undefined when the certificate's CommonName is `subject`. */
export function judgeCommonName(cert: X509Certificate, subject: string): string | undefined {
  const names = commonNames(cert);
  if (names.length === 1 && names[0] === subject) return undefined;
  const seen = names.length === 0 ? 'it has none' : `it is ${names.map((n) => JSON.stringify(n)).join(' and ')}`;
  return `expected the certificate's CommonName to be ${JSON.stringify(subject)}; ${seen}`;
}

/** A certificate's SANs: DNS names and IP addresses (Node quotes a SAN holding special characters as a JSON string). */
export function subjectAltNames(cert: X509Certificate): { dns: string[]; ip: string[] } {
  const out = { dns: [] as string[], ip: [] as string[] };
  const text = cert.subjectAltName ?? '';
  for (const m of text.matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    let value = m[2].trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        /* kept as written */
      }
    }
    (m[1] === 'DNS' ? out.dns : out.ip).push(value);
  }
  return out;
}

function dnsMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  // a wildcard covers one left-most label
  return p.startsWith('*.') && h.includes('.') && h.slice(h.indexOf('.') + 1) === p.slice(2);
}

function sameIp(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^\[|\]$/g, '');
  return norm(a) === norm(b);
}

/** Undefined when the certificate has a SAN for every endpoint host (an IP literal as an IP SAN or a DNS name). */
export function judgeEndpointSans(cert: X509Certificate, endpoints: readonly Endpoint[]): string | undefined {
  const hosts = [...new Set(endpoints.map((e) => e.host).filter((h): h is string => !!h))];
  const sans = subjectAltNames(cert);
  const missing = hosts.filter((host) =>
    isIP(host) ? !sans.ip.some((ip) => sameIp(ip, host)) && !sans.dns.some((d) => d === host) : !sans.dns.some((d) => dnsMatches(d, host)),
  );
  if (missing.length === 0) return undefined;
  const has = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ip.map((i) => `IP:${i}`)];
  return `expected the certificate to carry a SAN for every endpoint host of the issuing site (${hosts.join(', ')}); it has none for ${missing.join(', ')} (its SANs: ${has.length ? has.join(', ') : 'none'})`;
}

