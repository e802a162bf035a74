// The grant server's decision logic, free of any network: Skupper's grants.go ServeHTTP and
// checkAndUpdateAccessToken (spec §2.3-§2.5), in the same check order and with the same answers.
import { randomBytes, randomUUID } from 'node:crypto';
import type { CertifiedKey, Pki } from '../pki.ts';
import { rfc3339Seconds } from '../../model/text.ts';
import { encodeBase64, SKUPPER_API_VERSION, type Endpoint, type Link, type Secret } from '../../model/resources.ts';
import { grantKey, httpError, redemptionAnswer, redemptionNames, type GrantAnswer, type RequestHeaders } from './wire.ts';

export interface GrantOptions {
  /** Default: a random UUID (a grant served for an AccessGrant in a cluster takes the resource's uid). */
  uid?: string;
  name?: string;
  namespace?: string;
  /** The grant's code; default: 24 random alphanumerics, as Skupper's RandomId(24). */
  code?: string;
  /** Default 1, as Skupper defaults `spec.redemptionsAllowed`. */
  redemptionsAllowed?: number;
  /** Default 15 minutes, what the docs promise (Skupper's controller uses 10 when the window is empty). */
  expirationWindowMs?: number;
  /** Overrides the computed expiration time verbatim (a non-RFC 3339 value makes the claim corrupted). */
  expirationTime?: string;
  /** The issuing site's `status.endpoints`. */
  endpoints?: Endpoint[];
}

export interface GrantRequest {
  method: string;
  path: string;
  headers: RequestHeaders;
  body: Buffer;
}

export const DEFAULT_EXPIRATION_WINDOW_MS = 15 * 60 * 1000;

export const DEFAULT_ENDPOINTS: Endpoint[] = [
  { name: 'inter-router', host: 'skupper-inter-router-granting-site.example.test', port: '55671', group: 'skupper-router' },
  { name: 'edge', host: 'skupper-edge-granting-site.example.test', port: '45671', group: 'skupper-router' },
];

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 24 characters from crypto-random bytes mod 62, as Skupper's utils.RandomId. */
export function randomCode(length = 24): string {
  return Array.from(randomBytes(length), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}


// Go's time.Parse(time.RFC3339, …) accepts these shapes only.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class Grant {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  code: string;
  redemptionsAllowed: number;
  redemptions = 0;
  expirationTime: string;
  endpoints: Endpoint[];
  deleted = false;

  constructor(options: GrantOptions = {}) {
    this.uid = options.uid || randomUUID();
    this.name = options.name ?? `grant-${this.uid.slice(0, 8)}`;
    this.namespace = options.namespace ?? 'granting-site';
    this.code = options.code ?? randomCode();
    this.redemptionsAllowed = options.redemptionsAllowed ?? 1;
    this.expirationTime =
      options.expirationTime ?? rfc3339Seconds(new Date(Date.now() + (options.expirationWindowMs ?? DEFAULT_EXPIRATION_WINDOW_MS)));
    this.endpoints = options.endpoints ?? DEFAULT_ENDPOINTS;
  }

  /** Moves the expiration time into the past: later redemptions get 404 `No such claim`. */
  expire(): this {
    this.expirationTime = rfc3339Seconds(new Date(Date.now() - 60_000));
    return this;
  }

  /** Uses up every redemption: later ones get 404 `No such access granted`. */
  exhaust(): this {
    this.redemptions = Math.max(this.redemptions, this.redemptionsAllowed);
    return this;
  }

  /** Gives the grant an expiration time that does not parse: redemptions get 500 `Corrupted claim`. */
  corrupt(): this {
    this.expirationTime = 'not-a-time';
    return this;
  }

  get remaining(): number {
    return Math.max(0, this.redemptionsAllowed - this.redemptions);
  }
}

/** The documents of a successful redemption: the Secret, then one Link per endpoint group. */
export function redemptionDocuments(pki: Pki, grant: Grant, name: string, subject: string): [Secret, ...Link[]] {
  return [redemptionSecret(pki, name, redemptionCredentials(pki, grant, subject)), ...redemptionLinks(endpointGroups(grant.endpoints), name)];
}

/** The redeeming site's certificate: signed by the grant's CA, CommonName = subject, SANs for the issuing site's endpoint hosts. */
export function redemptionCredentials(pki: Pki, grant: Grant, subject: string): CertifiedKey {
  const sanHosts = [...new Set(grant.endpoints.map((e) => e.host).filter((h): h is string => !!h))];
  return pki.issueClientCertificate(subject, sanHosts);
}

/** The `kubernetes.io/tls` Secret named `name`: the credentials and the CA that signed them. */
export function redemptionSecret(pki: Pki, name: string, credentials: CertifiedKey): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, creationTimestamp: null },
    type: 'kubernetes.io/tls',
    data: {
      'ca.crt': encodeBase64(pki.ca.certPem),
      'tls.crt': encodeBase64(credentials.certPem),
      'tls.key': encodeBase64(credentials.keyPem),
    },
  };
}

/** The endpoints a Link is made of, by Endpoint.group ("" is a group too): inter-router and edge only, empty groups left out. */
export function endpointGroups(endpoints: readonly Endpoint[]): Endpoint[][] {
  // first-seen order (Skupper's order is Go map order)
  const groups = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    const key = e.group ?? '';
    if (!groups.has(key)) groups.set(key, []);
    if (e.name === 'inter-router' || e.name === 'edge') groups.get(key)!.push(e);
  }
  return [...groups.values()].filter((group) => group.length > 0);
}

/** One Link per group: named `name` when there is one, `name-1`, `name-2` … when there are several; credentials `name`. */
export function redemptionLinks(groups: readonly Endpoint[][], name: string): Link[] {
  return groups.map((endpoints, i) => ({
    apiVersion: SKUPPER_API_VERSION,
    kind: 'Link',
    metadata: { name: groups.length === 1 ? name : `${name}-${i + 1}`, creationTimestamp: null },
    spec: { endpoints: endpoints.map((e) => ({ ...e })), tlsCredentials: name },
  }));
}

/**
 * The checks a grant found is put through, each refusing with Skupper's answer: a corrupted claim (no
 * RFC 3339 expiration time), an expired grant, a used-up grant, a wrong code.
 */
export type GrantCheck = 'corrupted' | 'expired' | 'exhausted' | 'code';

/** Skupper's check order (spec §2.4): expiry and exhaustion before the code. */
export const CHECK_ORDER: readonly GrantCheck[] = ['corrupted', 'expired', 'exhausted', 'code'];

export class GrantRegistry {
  /** The grants served, by uid. */
  protected readonly grants = new Map<string, Grant>();
  /** The order the checks run in; a subclass may change it (a grant service that checks the code first). */
  protected readonly checkOrder: readonly GrantCheck[] = CHECK_ORDER;

  constructor(protected readonly pki: Pki, protected readonly now: () => number = Date.now) {}

  create(options: GrantOptions = {}): Grant {
    const grant = new Grant(options);
    this.grants.set(grant.uid, grant);
    return grant;
  }

  get(uid: string): Grant | undefined {
    return this.grants.get(uid);
  }

  delete(grant: Grant): void {
    grant.deleted = true;
    this.grants.delete(grant.uid);
  }

  clear(): void {
    for (const g of this.grants.values()) g.deleted = true;
    this.grants.clear();
  }

  /** The uids of the grants it holds. */
  grantUids(): string[] {
    return [...this.grants.keys()];
  }

  /**
   * Decides a request exactly as Skupper's grant server does; a redemption answers typed documents, which
   * are serialised only when written. Synchronous on purpose: the check of the redemption count and its
   * increment cannot interleave with another request's.
   */
  handle(request: GrantRequest): GrantAnswer {
    const found = this.lookup(request);
    if (!(found instanceof Grant)) return found;
    const refusal = this.refusal(found, request);
    if (refusal) return refusal;
    this.count(found);
    return this.redemption(found, request);
  }

  /**
   * What the HTTPS service awaits for a request. The reference answers handle(request): its check and its
   * increment happen in one synchronous stretch, so no other request is decided between them. A subclass
   * may take its time (a status write) — and, with an await between the check and the increment, lose
   * the limit under concurrency.
   */
  answer(request: GrantRequest): GrantAnswer | Promise<GrantAnswer> {
    return this.handle(request);
  }

  /** The method, then the grant: 405 for anything but POST (on any path), 404 `No such claim` for an unknown grant. */
  protected lookup(request: GrantRequest): Grant | GrantAnswer {
    if (request.method !== 'POST') return httpError(405, 'Only POST is supported');
    return this.grants.get(grantKey(request.path)) ?? httpError(404, 'No such claim');
  }

  /** The first of the checks (in checkOrder) that refuses the request, or undefined when all pass. */
  protected refusal(grant: Grant, request: GrantRequest): GrantAnswer | undefined {
    for (const check of this.checkOrder) {
      const refused = this.check(check, grant, request);
      if (refused) return refused;
    }
    return undefined;
  }

  /** One check: its refusal, with Skupper's status and text, or undefined when the grant passes it. */
  protected check(check: GrantCheck, grant: Grant, request: GrantRequest): GrantAnswer | undefined {
    switch (check) {
      case 'corrupted':
        return !RFC3339.test(grant.expirationTime) || Number.isNaN(Date.parse(grant.expirationTime))
          ? httpError(500, 'Corrupted claim', grant.uid)
          : undefined;
      case 'expired':
        return Date.parse(grant.expirationTime) < this.now() ? httpError(404, 'No such claim', grant.uid) : undefined;
      case 'exhausted':
        return grant.redemptionsAllowed <= grant.redemptions ? httpError(404, 'No such access granted', grant.uid) : undefined;
      case 'code':
        // exact byte comparison: a trailing newline is a different code
        return request.body.equals(Buffer.from(grant.code, 'utf8')) ? undefined : httpError(403, 'Redemption of access token refused', grant.uid);
    }
  }

  /** Counts a redemption that passed every check. */
  protected count(grant: Grant): void {
    grant.redemptions += 1;
  }

  /** The answer of a counted redemption: the documents, made under the request's names. */
  protected redemption(grant: Grant, request: GrantRequest): GrantAnswer {
    const { name, subject } = redemptionNames(request.headers, grant.name);
    return redemptionAnswer(this.documents(grant, name, subject), grant.uid);
  }

  /** The documents a redemption answers (the Secret, then the Links). */
  protected documents(grant: Grant, name: string, subject: string): [Secret, ...Link[]] {
    return redemptionDocuments(this.pki, grant, name, subject);
  }
}
