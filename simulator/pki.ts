// The suite's own PKI, made at run time: the granting site's CA and the grant service's certificate, the
// deliberately bad ones that scenarios need, and client certificates for the Secrets that redemptions
// return. Keys come from node:crypto (keys.ts: OpenSSL on libuv's thread pool, made in parallel, started
// early); forge's pure-JS keygen is never used: it takes seconds per key. A run makes its keys once:
// parallel workers adopt the coordinator's (pkiKeys, adoptRunPki) instead of each making their own. The
// unrelated CA is the exception: few scenarios need it, so each process makes its own when first asked.
import { createPrivateKey, createPublicKey, sign as cryptoSign, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import type forge from 'node-forge';
import { takeKeyNow, takeKeys } from './keys.ts';

let forgeModule: typeof forge | undefined;

/**
 * node-forge, loaded when a certificate is first made or read: ~40 ms of CPU that a parallel worker would
 * otherwise spend before its first scenario. A worker is handed its run's certificates made (PkiKeys), and
 * needs forge only when a scenario asks for a new one (a redemption's client certificate).
 */
export function forgeLib(): typeof forge {
  return (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof forge);
}

export interface CertifiedKey {
  certPem: string;
  keyPem: string;
}

export interface Authority extends CertifiedKey {
  /** Signs a certificate for `subject` with this CA. */
  issue(request: CertificateRequest): CertifiedKey;
}

export interface CertificateRequest {
  commonName: string;
  /** DNS names and IP literals; IP literals become IP SANs (and, as Skupper does, DNS names too when `ipAsDns`) */
  hosts?: string[];
  usage: 'server' | 'client' | 'client-server';
  notBefore?: Date;
  notAfter?: Date;
  /** Use this key instead of the authority's shared leaf key. */
  key?: KeyPair;
  ipAsDns?: boolean;
}

interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privatePem: string;
}

/**
 * What a PKI is made from: its grant CA, the one key its leaf certificates share, and the server
 * certificates the grant CA signed with it; the unrelated CA when the coordinator made it (else a worker
 * that needs one makes its own).
 * Holds private keys: it goes only from a run's coordinator to its workers (cucumber's worldParameters, in
 * memory), never to a file, a report or an implementation.
 */
export interface PkiKeys {
  hosts: string[];
  ca: CertifiedKey;
  leafKeyPem: string;
  /** The certificates made with the leaf key: a worker serves with them as they are. */
  servers: Record<ServerCertificate, string>;
  /** The unrelated CA and the server certificate it signed (with the leaf key), when handed over. */
  unrelated?: { ca: CertifiedKey; serverCertPem: string };
}

type ServerCertificate = 'server' | 'expiredServer' | 'wrongHostServer';
const SERVER_CERTIFICATES: readonly ServerCertificate[] = ['server', 'expiredServer', 'wrongHostServer'];

export interface Pki {
  /** The granting site's CA: what a good token's `ca` holds. */
  ca: Authority;
  /**
   * A CA that has nothing to do with the grant service: made when first read, with a key of its own
   * (one started early if it is ready, else made then: ~175 ms), since few scenarios need it; a parallel
   * worker may have been handed its coordinator's instead (pkiKeys).
   */
  readonly unrelatedCa: Authority;
  /** The grant service's own certificate, for `hosts`, signed by `ca`. */
  server: CertifiedKey;
  /** Signed by `ca`, for the right hosts, but expired yesterday. */
  expiredServer: CertifiedKey;
  /** Signed by `ca`, valid, but for another host only. */
  wrongHostServer: CertifiedKey;
  /** For the right hosts, but signed by `unrelatedCa` (made with it). */
  readonly otherCaServer: CertifiedKey;
  /**
   * Makes the unrelated CA now, from a key made off this thread (one started early, or a new one), so that
   * reading it later costs nothing: what a serial run does at its start, while it waits for other things.
   */
  prepareUnrelated(): Promise<void>;
  /** The hosts the server certificates name. */
  hosts: string[];
  /** A client certificate signed by `ca` with CN = subject, as the grant service returns in the Secret. */
  issueClientCertificate(subject: string, hosts?: string[]): CertifiedKey;
}

const DAY = 24 * 60 * 60 * 1000;
export const WRONG_HOST = 'wrong-host.invalid';

function keyPairFromPem(privatePem: string): KeyPair {
  const { pki } = forgeLib();
  const publicPem = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
  return { publicKey: pki.publicKeyFromPem(publicPem), privatePem };
}

function serialNumber(): string {
  // positive, 16 bytes
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/**
 * Signs with SHA-256 through node:crypto: forge's own RSA signing is pure JavaScript and ~10x slower,
 * which matters when every redemption mints a client certificate.
 */
function signCertificate(cert: forge.pki.Certificate, key: KeyPair): void {
  const { pki, md, asn1 } = forgeLib();
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = pki.oids.sha256WithRSAEncryption;
  // forge reads the algorithm from `md` when it builds the TBS structure
  (cert as unknown as { md: forge.md.MessageDigest }).md = md.sha256.create();
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const der = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = cryptoSign('sha256', der, nodeKey(key));
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  cert.signature = signature.toString('binary');
}

const nodeKeys = new WeakMap<KeyPair, ReturnType<typeof createPrivateKey>>();
function nodeKey(key: KeyPair) {
  let k = nodeKeys.get(key);
  if (!k) {
    k = createPrivateKey(key.privatePem);
    nodeKeys.set(key, k);
  }
  return k;
}

function subjectKeyId(publicKey: forge.pki.rsa.PublicKey): string {
  const { pki, md } = forgeLib();
  // the same digest forge puts in the CA's subjectKeyIdentifier extension, so AKI matches SKI
  return pki.getPublicKeyFingerprint(publicKey, { md: md.sha1.create(), type: 'RSAPublicKey' }).getBytes();
}

function makeAuthority(commonName: string, key: KeyPair, leafKey: KeyPair, certPem?: string): Authority {
  const { pki } = forgeLib();
  const cert = certPem ? pki.certificateFromPem(certPem) : selfSigned(commonName, key);
  const ski = subjectKeyId(key.publicKey);

  return {
    certPem: certPem ?? pki.certificateToPem(cert),
    keyPem: key.privatePem,
    issue(request) {
      return issueLeaf(cert, key, ski, request.key ?? leafKey, request);
    },
  };
}

function selfSigned(commonName: string, key: KeyPair): forge.pki.Certificate {
  const { pki } = forgeLib();
  const cert = pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 365 * DAY);
  const name = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'accesstoken-conformance' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, key);
  return cert;
}

function issueLeaf(cert: forge.pki.Certificate, key: KeyPair, ski: string, leafKeys: KeyPair, request: CertificateRequest): CertifiedKey {
  const { pki } = forgeLib();
  const leaf = pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = serialNumber();
  leaf.validity.notBefore = request.notBefore ?? new Date(Date.now() - DAY);
  leaf.validity.notAfter = request.notAfter ?? new Date(Date.now() + 5 * 365 * DAY);
  leaf.setSubject([{ name: 'commonName', value: request.commonName }]);
  leaf.setIssuer(cert.subject.attributes);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [];
  for (const host of request.hosts ?? []) {
    if (isIP(host)) {
      altNames.push({ type: 7, ip: host });
      if (request.ipAsDns) altNames.push({ type: 2, value: host });
    } else {
      altNames.push({ type: 2, value: host });
    }
  }
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: request.usage !== 'client',
      clientAuth: request.usage !== 'server',
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ski },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  leaf.setExtensions(extensions);
  signCertificate(leaf, key);
  return { certPem: pki.certificateToPem(leaf), keyPem: leafKeys.privatePem };
}

/**
 * Makes a fresh PKI. Two RSA keys are generated in parallel: the grant CA's, and one key shared by every
 * leaf certificate of the run, the grant service's and the redemptions' client certificates (a new key per
 * redemption would cost ~75 ms of CPU each). The unrelated CA's key comes when it is first asked for.
 */
export async function createPki(options: { hosts?: string[] } = {}): Promise<Pki> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const [caKey, leafKey] = (await Promise.all(takeKeys(2))).map(keyPairFromPem);
  return assemble(hosts, makeAuthority(GRANT_CA_NAME, caKey, leafKey), new UnrelatedOnDemand(hosts, () => leafKey));
}

interface Unrelated {
  ca: Authority;
  /** for the run's hosts, signed by `ca` */
  server: CertifiedKey;
}

/**
 * The unrelated CA, made at first use or when prepared, or given (handed over by a coordinator): a
 * parallel worker's start, and the coordinator's before it forks its workers, should not wait ~175 ms of
 * CPU for a key that only the CA-mismatch scenarios use, unless every worker would make it at once.
 */
class UnrelatedOnDemand {
  private made: Unrelated | undefined;
  private preparing: Promise<void> | undefined;

  constructor(
    private readonly hosts: string[],
    private readonly leafKey: () => KeyPair,
    given?: Unrelated,
  ) {
    this.made = given;
  }

  get(): Unrelated {
    return (this.made ??= this.make(takeKeyNow()));
  }

  prepare(): Promise<void> {
    // one that was given needs no key
    return (this.preparing ??= this.made ? Promise.resolve() : (async () => {
      const [key] = await Promise.all(takeKeys(1));
      this.made ??= this.make(key);
    })());
  }

  private make(keyPem: string): Unrelated {
    const ca = makeAuthority(UNRELATED_CA_NAME, keyPairFromPem(keyPem), this.leafKey());
    return { ca, server: ca.issue({ commonName: this.hosts[0], hosts: this.hosts, usage: 'server' }) };
  }

  /** A PKI of `rest` and this unrelated CA, read through it (getters: nothing is made until read). */
  pki(rest: Omit<Pki, 'unrelatedCa' | 'otherCaServer' | 'prepareUnrelated'>): Pki {
    const made = () => this.get();
    return {
      ...rest,
      get unrelatedCa() {
        return made().ca;
      },
      get otherCaServer() {
        return made().server;
      },
      prepareUnrelated: () => this.prepare(),
    };
  }
}

const GRANT_CA_NAME = 'accesstoken-conformance grant CA';
const UNRELATED_CA_NAME = 'unrelated CA';

/**
 * The PKI's makings, to hand to another process of the same run (see PkiKeys); with `unrelated`, the
 * unrelated CA too (made now if it was not: prepareUnrelated() first makes it off the thread).
 */
export function pkiKeys(made: Pki, { unrelated = false } = {}): PkiKeys {
  return {
    hosts: made.hosts,
    ca: { certPem: made.ca.certPem, keyPem: made.ca.keyPem },
    leafKeyPem: made.server.keyPem,
    servers: Object.fromEntries(SERVER_CERTIFICATES.map((name) => [name, made[name].certPem])) as PkiKeys['servers'],
    ...(unrelated && {
      unrelated: { ca: { certPem: made.unrelatedCa.certPem, keyPem: made.unrelatedCa.keyPem }, serverCertPem: made.otherCaServer.certPem },
    }),
  };
}

/**
 * The same PKI again from its makings: the same grant CA, leaf key and server certificates, and the same
 * unrelated CA when handed over (else one of its own when first asked). Nothing is parsed or signed until
 * a scenario asks an authority for a new certificate (forgeLib).
 */
export function pkiFromKeys(keys: PkiKeys): Pki {
  let leafKey: KeyPair | undefined;
  const leaf = () => (leafKey ??= keyPairFromPem(keys.leafKeyPem));
  const authority = (commonName: string, made: CertifiedKey): Authority => {
    let parsed: Authority | undefined;
    return {
      certPem: made.certPem,
      keyPem: made.keyPem,
      issue: (request) => (parsed ??= makeAuthority(commonName, keyPairFromPem(made.keyPem), leaf(), made.certPem)).issue(request),
    };
  };
  const ca = authority(GRANT_CA_NAME, keys.ca);
  const served = (name: ServerCertificate): CertifiedKey => ({ certPem: keys.servers[name], keyPem: keys.leafKeyPem });
  const given = keys.unrelated && {
    ca: authority(UNRELATED_CA_NAME, keys.unrelated.ca),
    server: { certPem: keys.unrelated.serverCertPem, keyPem: keys.leafKeyPem },
  };
  return new UnrelatedOnDemand(keys.hosts, leaf, given).pki({
    ca,
    server: served('server'),
    expiredServer: served('expiredServer'),
    wrongHostServer: served('wrongHostServer'),
    hosts: keys.hosts,
    issueClientCertificate: (subject, sanHosts) => clientCertificate(ca, subject, sanHosts),
  });
}

function assemble(hosts: string[], ca: Authority, unrelated: UnrelatedOnDemand): Pki {
  const primaryHost = hosts[0];
  const server = ca.issue({ commonName: primaryHost, hosts, usage: 'server' });
  const expiredServer = ca.issue({
    commonName: primaryHost,
    hosts,
    usage: 'server',
    notBefore: new Date(Date.now() - 30 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const wrongHostServer = ca.issue({ commonName: WRONG_HOST, hosts: [WRONG_HOST], usage: 'server' });
  return unrelated.pki({
    ca,
    server,
    expiredServer,
    wrongHostServer,
    hosts,
    issueClientCertificate: (subject, sanHosts) => clientCertificate(ca, subject, sanHosts),
  });
}

/** What a redemption's Secret carries: a client certificate signed by the grant CA (CN = subject). */
function clientCertificate(ca: Authority, subject: string, sanHosts?: string[]): CertifiedKey {
  return ca.issue({ commonName: subject, hosts: sanHosts, usage: 'client-server', ipAsDns: true });
}

/** The hosts a run's grant service certificate names: the grant host first (it goes in grant URLs). */
export function runHosts(grantHost?: string): string[] {
  return [...new Set(grantHost ? [grantHost, 'localhost', '127.0.0.1'] : ['127.0.0.1', 'localhost'])];
}

const runPkis = new Map<string, Promise<Pki>>();

/** Makes `keys` this process's run PKI for their hosts: a parallel worker takes its coordinator's. */
export function adoptRunPki(keys: PkiKeys): void {
  const key = keys.hosts.join(',');
  if (!runPkis.has(key)) runPkis.set(key, Promise.resolve(pkiFromKeys(keys)));
}

/** The PKI of this run (made once per process and set of hosts). */
export function getRunPki(hosts: string[] = ['localhost', '127.0.0.1']): Promise<Pki> {
  const key = hosts.join(',');
  let p = runPkis.get(key);
  if (!p) {
    p = createPki({ hosts });
    runPkis.set(key, p);
  }
  return p;
}
