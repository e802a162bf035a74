// The reference redeemer: Skupper's Kubernetes controller path (spec §3.1) — checkAccessToken,
// RedeemAccessToken, handleTokenResponse and SetRedeemed — over a RedeemerStore.
import { BodyError, MAX_ANSWER_BYTES, postCode, REDEEM_TIMEOUT_MS, TransportError, type PostCodeOptions, type RedeemResponse } from './client.ts';
import { decodeRedemptionResponse } from './decode.ts';
import { goQuote } from './go-wording.ts';
import { goUrlString, parseGoUrl, type GoUrl } from './go-url.ts';
import { isRedeemed, setRedeemed, setRedeemedWithSiteDeletion } from '../../model/conditions.ts';
import type { RedeemerStore } from './store.ts';
import type { Site } from '../../adapters/contract.ts';
import { SKUPPER_API_VERSION, type AccessToken, type Link, type ObjectMeta, type OwnerReference, type Secret } from '../../model/resources.ts';

export interface ReferenceRedeemerOptions {
  timeoutMs?: number;
  now?: () => Date;
}

/** How much of a refusal's body the message quotes: a grant service's text is a line, not megabytes. */
export const QUOTED_BODY_MAX = 1024;

function siteOwnerReference(site: Site): OwnerReference[] {
  return [{ kind: 'Site', apiVersion: SKUPPER_API_VERSION, name: site.name, uid: site.uid }];
}

/** Where a redemption is sent: the URL, and the URL as Go would print it in messages. */
export interface Target {
  url: URL;
  displayUrl: string;
}

export class ReferenceRedeemer {
  protected readonly timeoutMs: number;
  protected readonly now: () => Date;
  private readonly inFlight = new Set<AbortController>();

  constructor(protected readonly store: RedeemerStore, options: ReferenceRedeemerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? REDEEM_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** The controller's handler for an AccessToken event (checkAccessToken). */
  async checkAccessToken(token: AccessToken | undefined): Promise<void> {
    if (!token || isRedeemed(token)) return;
    const namespace = token.metadata.namespace ?? '';
    const site = await this.store.getSite(namespace);
    if (!site) return; // picked up again on a later event or resync once a site exists
    await this.redeem(token, site);
  }

  /** RedeemAccessToken: one attempt, its outcome written to the token's status when it changed. */
  async redeem(token: AccessToken, site: Site): Promise<AccessToken> {
    const error = await this.attempt(token, site);
    const updated = this.recordOutcome(token, error);
    return updated ? this.store.updateAccessTokenStatus(updated) : token;
  }

  /** Marks every redeemed token of the namespace as redeemed for a deleted site. */
  async siteDeleted(namespace: string): Promise<void> {
    for (const token of await this.store.listAccessTokens(namespace)) {
      if (!isRedeemed(token)) continue;
      const updated: AccessToken = structuredClone(token);
      if (setRedeemedWithSiteDeletion(updated, this.now())) await this.store.updateAccessTokenStatus(updated);
    }
  }

  /**
   * A token was deleted. Skupper's handler does nothing (checkAccessToken of a nil token, spec §3.1): the
   * Secret and Links it was redeemed for are owned by the Site, and the Link must outlive its one-time
   * credential.
   */
  async tokenDeleted(_namespace: string, _name: string): Promise<void> {}

  /** Aborts redemptions in flight (their tokens end with `context canceled`). */
  abortAll(): void {
    for (const c of this.inFlight) c.abort();
  }

  // The steps of one attempt. Each is a protected method so that the deliberately broken
  // implementations (fixtures/broken, test/fixtures/broken) can differ from the reference in one place.

  /** One redemption attempt; returns the error message for the status, or undefined on success. */
  protected async attempt(token: AccessToken, site: Site): Promise<string | undefined> {
    const checked = this.checkPreconditions(token);
    if (typeof checked === 'string') return checked;
    let response: RedeemResponse;
    try {
      response = await this.withAbort((signal) => this.send(checked, token, site, signal));
    } catch (e) {
      // a 200 whose body stopped short (cut off, stalled past the deadline): Skupper's decoder meets the
      // read error on its first document
      if (e instanceof BodyError && e.status === 200) return 'Controller could not decode response';
      return `Controller got error: ${e instanceof TransportError ? e.message : String(e)}`;
    }
    if (response.status !== 200) return this.failedResponseMessage(response);
    if (response.oversized) return `Controller could not decode response: the answer is larger than ${MAX_ANSWER_BYTES} bytes`;
    let decoded;
    try {
      decoded = this.decode(response.body);
    } catch {
      return 'Controller could not decode response';
    }
    return this.createReceived(token, site, decoded);
  }

  /** The token's own checks, in Skupper's order; where to POST, or the error. */
  protected checkPreconditions(token: AccessToken): Target | string {
    const spec = token.spec ?? ({} as AccessToken['spec']);
    if (!spec.ca) return 'token does not have a CA';
    // Go's url.Parse decides what parses and what the scheme is (it lower-cases it); WHATWG's URL parser
    // refuses URLs Go accepts ("", "localhost/x") and accepts some Go refuses ("https://x/%zz").
    let parsed: GoUrl;
    try {
      parsed = parseGoUrl(spec.url ?? '');
    } catch (e) {
      return `could not parse token url: ${(e as Error).message}`;
    }
    if (parsed.scheme !== 'https') return 'token url scheme must be https';
    const displayUrl = goUrlString(parsed);
    // net/http's transport refuses a URL without a host before dialling
    if (parsed.host === '') return `Controller got error: Post ${goQuote(displayUrl)}: http: no Host in request URL`;
    try {
      return { url: new URL(spec.url ?? ''), displayUrl };
    } catch {
      // Go parsed it but cannot dial it (a port beyond 65535, a host Node will not take)
      const port = /:(\d+)$/.exec(parsed.host)?.[1];
      const reason = port !== undefined && Number(port) > 65535 ? `dial tcp: address ${port}: invalid port` : `dial tcp: lookup ${parsed.host}: no such host`;
      return `Controller got error: Post ${goQuote(displayUrl)}: ${reason}`;
    }
  }

  /** The POST: TLS 1.3 or newer, only the token's CA, bounded in time, redirects not followed. */
  protected send(target: Target, token: AccessToken, site: Site, signal: AbortSignal): Promise<RedeemResponse> {
    return postCode(this.postOptions(target, token, site, signal));
  }

  protected postOptions(target: Target, token: AccessToken, site: Site, signal: AbortSignal): PostCodeOptions {
    return {
      url: target.url,
      displayUrl: target.displayUrl,
      code: token.spec.code ?? '',
      ca: token.spec.ca,
      headers: this.requestHeaders(token, site),
      timeoutMs: this.timeoutMs,
      signal,
    };
  }

  protected requestHeaders(token: AccessToken, site: Site): Record<string, string> {
    return { name: token.metadata.name, subject: site.uid };
  }

  /** Skupper's message for a refusal, quoting at most QUOTED_BODY_MAX characters of the answer (Skupper quotes all of it). */
  protected failedResponseMessage(response: RedeemResponse): string {
    const text = response.body.trim();
    const quoted = text.length > QUOTED_BODY_MAX || response.oversized ? `${text.slice(0, QUOTED_BODY_MAX)}…` : text;
    return `Controller got failed response: ${response.status} (${response.statusText}) ${quoted}`;
  }

  protected decode(body: string): { secret: Secret; links: Link[] } {
    return decodeRedemptionResponse(body);
  }

  /** Creates the Secret, then each Link, in the token's namespace; stops at the first failure, no rollback. */
  protected async createReceived(token: AccessToken, site: Site, decoded: { secret: Secret; links: Link[] }): Promise<string | undefined> {
    const secret: Secret = { ...decoded.secret, metadata: this.receivedMetadata(token, site, decoded.secret.metadata) };
    try {
      await this.store.createSecret(secret.metadata.namespace!, secret);
    } catch (e) {
      return `Controller could not create received secret: ${(e as Error).message}`;
    }
    for (const received of decoded.links) {
      const link: Link = { ...received, metadata: this.receivedMetadata(token, site, received.metadata), spec: { ...received.spec } };
      if ((token.spec.linkCost ?? 0) > 0) link.spec.cost = token.spec.linkCost;
      try {
        await this.store.createLink(link.metadata.namespace!, link);
      } catch (e) {
        return `Controller could not create received link: ${(e as Error).message}`;
      }
    }
    return undefined;
  }

  /**
   * The metadata a received document is created with: what the answer sent, but in the token's namespace
   * whatever namespace it named, and with the owner references below in place of any it carried (spec
   * §3.1: replaced, not merged). The grant service decides names, never where or under whom.
   */
  protected receivedMetadata(token: AccessToken, site: Site, received: ObjectMeta | undefined): ObjectMeta {
    return {
      ...(received ?? { name: '' }),
      namespace: token.metadata.namespace ?? site.namespace,
      ownerReferences: this.ownerReferences(site, token),
    };
  }

  /** The owner references of what a redemption creates: exactly one, the Site's (the token's are not used). */
  protected ownerReferences(site: Site, _token: AccessToken): OwnerReference[] {
    return siteOwnerReference(site);
  }

  /** Writes the outcome as SetRedeemed does; returns the token to store, or undefined when nothing changed. */
  protected recordOutcome(token: AccessToken, error: string | undefined): AccessToken | undefined {
    const updated: AccessToken = structuredClone(token);
    return setRedeemed(updated, error, this.now()) ? updated : undefined;
  }

  private async withAbort<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    this.inFlight.add(abort);
    try {
      return await call(abort.signal);
    } finally {
      this.inFlight.delete(abort);
    }
  }
}
