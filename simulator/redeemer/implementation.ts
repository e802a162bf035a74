// The built-in reference implementation (`--impl reference`): the ReferenceRedeemer over an in-memory
// store, driven as Skupper's controller drives it — an attempt when a token is applied, another on
// every resync until the token is redeemed.
import type { Implementation, Observation, Site } from '../../adapters/contract.ts';
import { suiteVersion } from '../../model/package.ts';
import { InMemoryStore } from './memory-store.ts';
import { ReferenceRedeemer, type ReferenceRedeemerOptions } from './redeemer.ts';
import type { AccessToken } from '../../model/resources.ts';

export const REFERENCE_FEATURES = ['status', 'link-cost', 'resync', 'site-deletion', 'owner-references', 'token-deletion'];

/** Makes the redeemer over the implementation's store: the deliberately broken variants pass a subclass. */
export type RedeemerFactory = (store: InMemoryStore, options: ReferenceRedeemerOptions) => ReferenceRedeemer;

export interface ReferenceImplementationOptions {
  timeoutMs?: number;
  version?: string;
  /** Default "reference". */
  name?: string;
  /** Default: the ReferenceRedeemer itself. */
  redeemer?: RedeemerFactory;
}

export class ReferenceImplementation implements Implementation {
  readonly name: string;
  readonly version: string;
  readonly features = [...REFERENCE_FEATURES];
  readonly store = new InMemoryStore();
  readonly redeemer: ReferenceRedeemer;

  constructor(options: ReferenceImplementationOptions = {}) {
    const redeemer = options.redeemer ?? ((store, o) => new ReferenceRedeemer(store, o));
    this.redeemer = redeemer(this.store, { timeoutMs: options.timeoutMs });
    this.name = options.name ?? 'reference';
    // the reference, and the broken variants made from it, are versioned with the suite
    this.version = options.version ?? suiteVersion();
  }

  private ensureSite(site: Site): void {
    this.knownSites.add(site.namespace);
    if (!this.deletedSites.has(site.namespace)) this.store.setSite(site);
  }
  private readonly knownSites = new Set<string>();
  private readonly deletedSites = new Set<string>();

  async apply(token: AccessToken, site: Site): Promise<void> {
    this.ensureSite(site);
    const stored = this.store.applyAccessToken(site.namespace, token);
    await this.redeemer.checkAccessToken(stored);
  }

  async observe(site: Site): Promise<Observation> {
    return {
      accessTokens: await this.store.listAccessTokens(site.namespace),
      secrets: this.store.listSecrets(site.namespace),
      links: this.store.listLinks(site.namespace),
      others: this.store.listOthers(site.namespace),
    };
  }

  async resync(site: Site): Promise<void> {
    for (const token of await this.store.listAccessTokens(site.namespace)) {
      await this.redeemer.checkAccessToken(token);
    }
  }

  async deleteSite(site: Site): Promise<void> {
    this.deletedSites.add(site.namespace);
    this.store.deleteSite(site.namespace);
    await this.redeemer.siteDeleted(site.namespace);
  }

  async deleteToken(name: string, site: Site): Promise<void> {
    this.store.deleteAccessToken(site.namespace, name);
    await this.redeemer.tokenDeleted(site.namespace, name);
  }

  async close(): Promise<void> {
    this.redeemer.abortAll();
    for (const ns of this.knownSites) this.store.deleteNamespace(ns);
  }
}

export default async function create(options: Record<string, string> = {}): Promise<Implementation> {
  const timeoutMs = options.timeoutMs ? Number(options.timeoutMs) : undefined;
  return new ReferenceImplementation({ timeoutMs });
}
