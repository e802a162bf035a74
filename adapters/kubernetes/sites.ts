// The scenario sites of `--impl kubernetes` in the cluster: for each, a namespace (labelled as made by the
// suite) with a Site resource in it, made usable as the siteReady option asks; the namespace's watches;
// and the clean-up of what the scenarios made there, when a new scenario begins (retireSites) or at close.
import type { Site } from '../contract.ts';
import { SKUPPER_API_VERSION, type Link, type Secret, type SiteResource } from '../../model/resources.ts';
import { apiStatusCode, coordinates, isNotFound, toError, type KubeClients } from './client.ts';
import { NamespaceWatch } from './namespace-watch.ts';
import { dnsLabel, type KubernetesOptions } from './options.ts';

export const CREATED_BY_LABEL = 'app.kubernetes.io/created-by';
export const CREATED_BY = 'accesstoken-conformance';

/** Namespaces watched at once; older ones stop watching and restart if a scenario comes back to them. */
const MAX_WATCHED_NAMESPACES = 4;

export interface SiteState {
  /** siteKey() of the site as the scenario gave it. */
  key: string;
  prepared: Site;
  createdNamespace: boolean;
  createdSite: boolean;
  /** Names of the tokens applied in the site's namespace. */
  tokens: Set<string>;
}

function siteKey(site: Site): string {
  return `${site.namespace}/${site.name}`;
}

export type SiteOptions = Pick<KubernetesOptions, 'prefix' | 'siteReady' | 'siteTimeoutMs' | 'retireSites' | 'deleteNamespaces'>;

export class ClusterSites {
  private readonly sites = new Map<string, Promise<SiteState>>();
  private readonly byUid = new Map<string, SiteState>();
  /** Every site made something for, ready or not: what close() cleans up. */
  private readonly made: SiteState[] = [];
  private readonly watches = new Map<string, NamespaceWatch>();

  constructor(
    private readonly clients: KubeClients,
    private readonly options: SiteOptions,
  ) {}

  /** The cluster namespace a scenario site maps to. */
  clusterNamespace(site: Site): string {
    const prefix = this.options.prefix;
    return dnsLabel(prefix ? `${prefix}-${site.namespace}` : site.namespace);
  }

  /** Makes the site exist in the cluster; returns it as the cluster has it (namespace used, the Site's uid). */
  async prepare(site: Site): Promise<Site> {
    const known = this.byUid.has(site.uid) || this.sites.has(siteKey(site));
    // A new scenario has begun: what the earlier ones made goes now (while the new site is made), before
    // the controller retries their failed tokens, at its resync, against the grant service the new
    // scenario uses. Only the sites tokens were applied in: they are what the controller would go on
    // with, and a site without tokens yet may be this scenario's own, which a second site of the same
    // scenario is prepared beside (features/lifecycle.feature, hostile-answers.feature).
    const earlier = this.options.retireSites && !known ? this.takeSitesWithTokens() : [];
    const [state] = await Promise.all([this.state(site), this.retire(earlier)]);
    return { ...state.prepared };
  }

  /** The state of a site given as the scenario made it, or as prepare() returned it; made when new. */
  async state(site: Site): Promise<SiteState> {
    const known = this.byUid.get(site.uid);
    if (known) return known;
    const key = siteKey(site);
    let state = this.sites.get(key);
    if (!state) {
      state = this.create(site);
      this.sites.set(key, state);
      state.catch(() => this.sites.delete(key));
    }
    return state;
  }

  /** A site's state, its cluster namespace and that namespace's started watch. */
  async watched(site: Site): Promise<{ state: SiteState; namespace: string; watch: NamespaceWatch }> {
    const state = await this.state(site);
    const namespace = state.prepared.namespace;
    return { state, namespace, watch: await this.watch(namespace) };
  }

  /** The started watch of a namespace; the least recently used one stops when too many run. */
  async watch(namespace: string): Promise<NamespaceWatch> {
    let watch = this.watches.get(namespace);
    if (watch) this.watches.delete(namespace);
    else watch = new NamespaceWatch(this.clients, namespace, { watchSites: this.options.siteReady !== 'none' });
    this.watches.set(namespace, watch); // most recently used last
    let running = 0;
    for (const w of [...this.watches.values()].reverse()) {
      if (!w.started) continue;
      if (++running > MAX_WATCHED_NAMESPACES) await w.stop();
    }
    await watch.start();
    return watch;
  }

  /** Deletes the site's Site resource (the namespace and the rest stay). */
  async deleteSite(site: Site): Promise<void> {
    const state = await this.state(site);
    const { namespace, name } = state.prepared;
    try {
      await this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('Site', namespace), name });
    } catch (err) {
      if (!isNotFound(err)) throw toError(err, `could not delete Site ${namespace}/${name}`);
    }
  }

  /** Deletes what the scenarios made and stops the watches; the sites are forgotten. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sites.values()]); // let sites being made finish first
    const errors: unknown[] = [];
    await Promise.all(
      this.made.splice(0).map(async (state) => {
        try {
          await this.cleanUp(state);
        } catch (err) {
          errors.push(err);
        }
      }),
    );
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
    this.watches.clear();
    this.sites.clear();
    this.byUid.clear();
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  /** The sites made so far that tokens were applied in, no longer counted as made (the others stay). */
  private takeSitesWithTokens(): SiteState[] {
    const taken = this.made.filter((state) => state.tokens.size > 0);
    this.made.splice(0, this.made.length, ...this.made.filter((state) => state.tokens.size === 0));
    return taken;
  }

  /** Removes what was made for the given sites, tokens first, and forgets the sites. */
  private async retire(states: SiteState[]): Promise<void> {
    if (states.length === 0) return;
    for (const state of states) {
      this.sites.delete(state.key);
      for (const [uid, value] of this.byUid) if (value === state) this.byUid.delete(uid);
    }
    const results = await Promise.allSettled(states.map((state) => this.cleanUp(state)));
    await Promise.all(
      states.map(async ({ prepared: { namespace } }) => {
        const watch = this.watches.get(namespace);
        this.watches.delete(namespace);
        await watch?.stop();
      }),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up after earlier scenarios failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  private async create(site: Site): Promise<SiteState> {
    const namespace = this.clusterNamespace(site);
    // the watch opens while the namespace and Site are made (a namespace that does not exist yet lists
    // empty and is watched all the same)
    const watching = this.watch(namespace);
    watching.catch(() => {}); // awaited below; a failure before that must not go unhandled
    const createdNamespace = await this.createNamespace(namespace);
    const { resource, createdSite } = await this.createSiteResource(site.name, namespace, createdNamespace);
    const state: SiteState = {
      key: siteKey(site),
      prepared: { name: site.name, namespace, uid: resource.metadata.uid ?? '' },
      createdNamespace,
      createdSite,
      tokens: new Set(),
    };
    this.made.push(state);
    await this.untilUsable(await watching, site.name, namespace);
    this.byUid.set(site.uid, state);
    this.byUid.set(state.prepared.uid, state);
    return state;
  }

  /** Creates the namespace; false when it was there already (and is not being deleted). */
  private async createNamespace(namespace: string): Promise<boolean> {
    try {
      await this.clients.core.createNamespace({
        body: { metadata: { name: namespace, labels: { [CREATED_BY_LABEL]: CREATED_BY } } },
      });
      return true;
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw toError(err, `could not create namespace ${namespace}`);
      const existing = await this.clients.core.readNamespace({ name: namespace });
      if (existing.metadata?.deletionTimestamp) {
        throw new Error(`namespace ${namespace} is being deleted; choose another namespace prefix (option namespace)`);
      }
      return false;
    }
  }

  /**
   * The namespace's Site of that name, created unless there; a Site of another name is an error. A
   * namespace created a moment ago has no Site: it is not listed.
   */
  private async createSiteResource(name: string, namespace: string, newNamespace: boolean): Promise<{ resource: SiteResource; createdSite: boolean }> {
    const siteCoordinates = coordinates('Site', namespace);
    const list = newNamespace ? { items: [] } : ((await this.clients.custom.listNamespacedCustomObject(siteCoordinates)) as { items: SiteResource[] });
    const existing = list.items.find((s) => s.metadata.name === name);
    const others = list.items.filter((s) => s.metadata.name !== name).map((s) => s.metadata.name);
    if (others.length > 0) {
      throw new Error(`namespace ${namespace} already has Site ${others.join(', ')}; each scenario site needs a namespace of its own`);
    }
    if (existing) return { resource: existing, createdSite: false };
    const body: SiteResource = { apiVersion: SKUPPER_API_VERSION, kind: 'Site', metadata: { name, namespace }, spec: {} };
    try {
      return { resource: (await this.clients.custom.createNamespacedCustomObject({ ...siteCoordinates, body })) as SiteResource, createdSite: true };
    } catch (err) {
      throw toError(err, `could not create Site ${namespace}/${name}`);
    }
  }

  /** Waits, as siteReady asks, until a controller knows the Site (status) or has made it Ready. */
  private async untilUsable(watch: NamespaceWatch, name: string, namespace: string): Promise<void> {
    const { siteReady, siteTimeoutMs } = this.options;
    if (siteReady === 'none') return;
    const usable = () => {
      const status = watch.sites?.get(name, namespace)?.status;
      return siteReady === 'ready' ? status?.status === 'Ready' : !!status && Object.keys(status).length > 0;
    };
    if (await watch.until(usable, siteTimeoutMs)) return;
    const status = watch.sites?.get(name, namespace)?.status;
    throw new Error(
      `Site ${namespace}/${name} did not become ${siteReady === 'ready' ? 'Ready' : 'known to a controller (no status)'} ` +
        `within ${siteTimeoutMs} ms; its status: ${JSON.stringify(status ?? {})}`,
    );
  }

  private async cleanUp(state: SiteState): Promise<void> {
    const { namespace, uid, name: siteName } = state.prepared;
    const ignoreMissing = async (what: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (err) {
        if (!isNotFound(err)) throw toError(err, `could not delete ${what}`);
      }
    };
    // what redemption made: owned by the Site, or named after one of the tokens (name, name-1, ...)
    const madeForUs = ({ name = '', ownerReferences = [] }: { name?: string; ownerReferences?: Array<{ uid?: string }> }) =>
      ownerReferences.some((o) => o.uid === uid) ||
      [...state.tokens].some((t) => name === t || (name.startsWith(`${t}-`) && /^\d+$/.test(name.slice(t.length + 1))));

    await Promise.all(
      [...state.tokens].map((t) =>
        ignoreMissing(`accesstoken ${namespace}/${t}`, () =>
          this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('AccessToken', namespace), name: t }),
        ),
      ),
    );
    const links = ((await this.clients.custom.listNamespacedCustomObject(coordinates('Link', namespace))) as { items: Link[] }).items;
    const secrets = (await this.clients.core.listNamespacedSecret({ namespace })).items as unknown as Secret[];
    await Promise.all([
      ...links
        .filter((l) => madeForUs(l.metadata))
        .map((l) =>
          ignoreMissing(`link ${namespace}/${l.metadata.name}`, () =>
            this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('Link', namespace), name: l.metadata.name }),
          ),
        ),
      ...secrets
        .filter((s) => madeForUs(s.metadata))
        .map((s) => ignoreMissing(`secret ${namespace}/${s.metadata.name}`, () => this.clients.core.deleteNamespacedSecret({ namespace, name: s.metadata.name }))),
    ]);
    if (state.createdSite) {
      await ignoreMissing(`Site ${namespace}/${siteName}`, () =>
        this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('Site', namespace), name: siteName }),
      );
    }
    if (this.options.deleteNamespaces && state.createdNamespace) {
      await ignoreMissing(`namespace ${namespace}`, () => this.clients.core.deleteNamespace({ name: namespace }));
    }
  }
}
