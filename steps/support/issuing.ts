// The grant-service side of a scenario: the issuing site, the AccessGrants applied to the grant service
// under test, and every exchange the suite had with it (the evidence when a scenario fails). The suite
// plays the redeeming site: it redeems with the reference redeemer's client, trusting only status.ca.
import { randomUUID } from 'node:crypto';
import type { GrantServiceImplementation, IssuingSite } from '../../adapters/contract.ts';
import { SKUPPER_API_VERSION, type AccessGrant, type AccessGrantSpec, type Endpoint } from '../../model/resources.ts';
import { postCode, TransportError } from '../../simulator/redeemer/client.ts';
import { bounded, CALL_BOUNDS_MS } from './bounded.ts';

/** Endpoints of the issuing site when a scenario does not say otherwise: one group, both router roles. */
export const ISSUING_ENDPOINTS: Endpoint[] = [
  { name: 'inter-router', host: 'skupper-inter-router.issuing-site.example.test', port: '55671', group: 'skupper-router' },
  { name: 'edge', host: 'skupper-edge.issuing-site.example.test', port: '45671', group: 'skupper-router' },
];

/** One request the suite made to the grant service under test, and what came back. */
export interface Exchange {
  grant: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The status code, or undefined when no HTTP answer arrived. */
  status?: number;
  body?: string;
  /** Why no answer arrived (a refused handshake, a reset, a timeout). */
  error?: string;
  /** How the request travelled when not as a redeemer sends it (TLS 1.3, trusting status.ca): "TLS 1.2 only", "plain HTTP". */
  transport?: string;
}

/** What a grant's status must carry before it can be redeemed. */
export function isIssued(grant: AccessGrant | undefined): grant is AccessGrant & { status: { url: string; code: string; ca: string } } {
  return !!grant?.status?.url && !!grant.status.code && !!grant.status.ca;
}

export class IssuingScenario {
  site: IssuingSite;
  readonly applied = new Map<string, AccessGrant>();
  readonly exchanges: Exchange[] = [];
  /** The grant the last step talked about ("the grant"). */
  current: string | undefined;
  /** When each grant was first applied, and first seen issued (ms since the epoch): what its expiration is measured from. */
  readonly firstApplied = new Map<string, number>();
  readonly firstIssued = new Map<string, number>();

  constructor(
    private readonly issuer: () => GrantServiceImplementation,
    private readonly callTimeoutMs: number,
    private readonly remember: (secret: string) => void,
  ) {
    const id = randomUUID().slice(0, 8);
    this.site = { name: `issuing-${id}`, namespace: `issuing-${id}`, uid: randomUUID(), endpoints: ISSUING_ENDPOINTS.map((e) => ({ ...e })) };
  }

  async prepareSite(): Promise<void> {
    const impl = this.issuer();
    if (!impl.prepareSite) return;
    const prepared = await bounded('prepareSite()', this.callTimeoutMs, () => impl.prepareSite!(structuredClone(this.site)));
    this.site = { ...this.site, ...prepared };
  }

  /**
   * Gives the issuing site these endpoints, before any grant is applied, and lets the grant service know
   * them (prepareSite again, when it has one: the site as it knows it is what the answers are judged by).
   */
  async setEndpoints(endpoints: Endpoint[]): Promise<void> {
    if (this.applied.size > 0) throw new Error("the issuing site's endpoints are set before the first AccessGrant is applied");
    this.site = { ...this.site, endpoints: endpoints.map((e) => ({ ...e })) };
    await this.prepareSite();
  }

  name(name = this.current): string {
    if (!name) throw new Error('the scenario has no AccessGrant yet: add "Given an AccessGrant …"');
    this.current = name;
    return name;
  }

  async apply(name: string, spec: AccessGrantSpec = {}): Promise<void> {
    const grant: AccessGrant = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name, namespace: this.site.namespace }, spec };
    if (spec.code) this.remember(spec.code);
    this.applied.set(name, grant);
    this.current = name;
    if (!this.firstApplied.has(name)) this.firstApplied.set(name, Date.now());
    const impl = this.issuer();
    await bounded(`applyGrant() of "${name}"`, this.callTimeoutMs, () => impl.applyGrant(structuredClone(grant), this.site));
  }

  /** The site's AccessGrants as the grant service shows them now (`timeoutMs`: the bound of the call). */
  async observe(timeoutMs: number = CALL_BOUNDS_MS.observe): Promise<AccessGrant[]> {
    const impl = this.issuer();
    const { accessGrants } = await bounded('observe()', timeoutMs, () => impl.observe(this.site));
    for (const g of accessGrants) if (g.status?.code) this.remember(g.status.code);
    return accessGrants;
  }

  /** The grant as the service shows it now. */
  async observed(name = this.current): Promise<AccessGrant | undefined> {
    const wanted = this.name(name);
    return (await this.observe()).find((g) => g.metadata?.name === wanted);
  }

  /** Waits until the grant's status carries url, code and ca; fails with what was last seen after `timeoutMs`. */
  async waitForIssued(name = this.current, timeoutMs = this.callTimeoutMs): Promise<AccessGrant & { status: { url: string; code: string; ca: string } }> {
    const wanted = this.name(name);
    const deadline = performance.now() + timeoutMs;
    let last: AccessGrant | undefined;
    let pause = 2;
    for (;;) {
      last = await this.observed(wanted);
      if (isIssued(last)) {
        if (!this.firstIssued.has(wanted)) this.firstIssued.set(wanted, Date.now());
        return last;
      }
      if (performance.now() >= deadline) {
        const what = last ? `its status is ${JSON.stringify(last.status ?? null)}` : 'it was not observed';
        throw new Error(`AccessGrant "${wanted}" was not issued (status url, code and ca) within ${timeoutMs} ms; ${what}`);
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 50);
    }
  }

  /**
   * Redeems the grant as a redeeming site does: POST the code to status.url, trusting only status.ca,
   * headers `name` and `subject`. Every exchange is kept, answered or not.
   */
  async redeem(name = this.current, options: { code?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Exchange> {
    const grant = await this.waitForIssued(name);
    const headers = options.headers ?? { name: `token-${grant.metadata.name}`, subject: this.site.uid };
    const code = options.code ?? grant.status.code;
    const exchange: Exchange = { grant: grant.metadata.name, method: 'POST', url: grant.status.url, headers };
    try {
      const answer = await postCode({ url: new URL(grant.status.url), code, ca: grant.status.ca, headers, timeoutMs: options.timeoutMs });
      exchange.status = answer.status;
      exchange.body = answer.body;
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      exchange.error = e.message;
    }
    this.exchanges.push(exchange);
    return exchange;
  }

  async deleteGrant(name = this.current): Promise<void> {
    const wanted = this.name(name);
    const impl = this.issuer();
    if (!impl.deleteGrant) throw new Error('the grant service has no deleteGrant()');
    await bounded(`deleteGrant() of "${wanted}"`, this.callTimeoutMs, () => impl.deleteGrant!(wanted, this.site));
  }

  lastExchange(): Exchange {
    const last = this.exchanges[this.exchanges.length - 1];
    if (!last) throw new Error('the scenario has redeemed nothing yet');
    return last;
  }
}
