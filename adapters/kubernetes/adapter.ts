// `--impl kubernetes`: the implementation under test is whatever controller reconciles AccessTokens in a
// Kubernetes cluster (Skupper's controller, or this project's reference controller). The adapter plays
// the user: it makes a namespace with a Site per scenario site, creates AccessTokens, and reads back
// tokens, Secrets and Links from watches of the namespace.
//
// Options (--impl-option key=value, or the implementation's options in the configuration file):
//   kubeconfig       kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)
//   context          kubeconfig context (default: the current one)
//   namespace        prefix of the namespaces made for scenario sites: <namespace>-<site namespace>
//                    (default: none, the site's namespace is used as it is, made a DNS label if need be)
//   controller       external (default): a controller already runs in the cluster;
//                    in-process: run the reference controller inside this process
//   installCrds      true: install manifests/crds when the cluster lacks them (default: fail, saying how)
//   secrets          tls (default): observe Secrets of type kubernetes.io/tls; all: every Secret
//   excludeSecrets   regular expression of Secret names left out of observations (default ^skupper-,
//                    the credentials Skupper's own site makes); empty: leave none out
//   siteReady        none (default): a scenario site is usable once its Site resource exists;
//                    status: wait until a controller has written the Site's status (it knows the Site);
//                    ready: wait until the Site's status.status is Ready (Skupper's CLI demands this)
//   siteTimeoutMs    how long prepareSite waits for siteReady (default 180000)
//   settleMs         after resync(), return once the namespace has been quiet this long (default 300)
//   retireSites      true (default): preparing a new site first removes what the scenarios of the sites
//                    prepared before it made (tokens first), as the suite runs one scenario at a time
//                    per worker; false: keep everything until close()
//   deleteNamespaces true: close() also deletes the namespaces the adapter created (default: only
//                    their contents, as a bare API server never finishes deleting namespaces)
//   features         comma-separated features claimed (default: all known features)
//   version          the version reported for the implementation under test
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Implementation, Observation, Site } from '../contract.ts';
import { KNOWN_FEATURES } from '../contract.ts';
import { SKUPPER_API_VERSION, type AccessToken, type Link, type Secret, type SiteResource } from '../../model/resources.ts';
import {
  apiMessage,
  apiStatusCode,
  connect,
  coordinates,
  ensureCrdsInstalled,
  installCrds,
  isNotFound,
  toError,
  type KubeClients,
} from './client.ts';
import { NamespaceWatch } from './namespace-watch.ts';
import { REFERENCE_CONTROLLER_MODULE } from '../load.ts';
import { pathToFileURL } from 'node:url';

/** What the adapter asks of the reference controller it can run in-process (simulator/redeemer/kubernetes). */
type RunController = (options: {
  clients: KubeClients;
  signal: AbortSignal;
  handleSignals: boolean;
  namespaceFilter?: (namespace: string) => boolean;
  log?: (line: string) => void;
  onReady: () => void;
}) => Promise<void>;

export const RESYNC_ANNOTATION = 'accesstoken-conformance.skupper.io/resync';
export const CREATED_BY_LABEL = 'app.kubernetes.io/created-by';
export const CREATED_BY = 'accesstoken-conformance';

/** Namespaces watched at once; older ones stop watching and restart if a scenario comes back to them. */
const MAX_WATCHED_NAMESPACES = 4;
/** How long apply() waits for its token to show up in the watch. */
const WATCH_CATCH_UP_MS = 10_000;

export interface KubernetesImplementation extends Implementation {
  readonly clients: KubeClients;
  /**
   * Makes the site exist in the cluster (its namespace and a Site resource named site.name) and returns
   * it as the cluster has it: the namespace used and the uid the API server assigned. Scenarios must use
   * the returned uid wherever they expect the Site's uid (the `subject` header, owner references).
   * apply/observe/resync/deleteSite accept the site as given or as returned.
   */
  prepareSite(site: Site): Promise<Site>;
  /** Resolves true at the next change to the site's tokens, Secrets or Links; false after timeoutMs. */
  waitForChange(site: Site, timeoutMs: number): Promise<boolean>;
  /** The cluster namespace a scenario site maps to. */
  clusterNamespace(site: Site): string;
  resync(site: Site): Promise<void>;
  deleteSite(site: Site): Promise<void>;
  close(): Promise<void>;
}

interface SiteState {
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

/** A DNS-1123 label: lower case alphanumerics and '-', at most 63 characters. */
export function dnsLabel(value: string): string {
  const label = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (!label) throw new Error(`cannot make a namespace name of ${JSON.stringify(value)}`);
  return label;
}

/** Resource versions are etcd revisions in practice; compare them as numbers when they are. */
function atLeast(resourceVersion: string | undefined, target: string | undefined): boolean {
  if (!resourceVersion || !target) return false;
  if (/^\d+$/.test(resourceVersion) && /^\d+$/.test(target)) return BigInt(resourceVersion) >= BigInt(target);
  return resourceVersion === target;
}

/** The adapter's own resync annotation of a token, kept across updates. */
function resyncAnnotation(token: AccessToken): Record<string, string> {
  const value = token.metadata.annotations?.[RESYNC_ANNOTATION];
  return value ? { [RESYNC_ANNOTATION]: value } : {};
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function byName<T extends { metadata: { name: string } }>(a: T, b: T): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

class KubernetesAdapter implements KubernetesImplementation {
  readonly name = 'kubernetes';
  readonly version: string | undefined;
  readonly features: string[];
  private readonly prefix: string | undefined;
  private readonly allSecrets: boolean;
  private readonly excludeSecrets: RegExp | undefined;
  private readonly settleMs: number;
  private readonly deleteNamespaces: boolean;
  private readonly retireSites: boolean;
  private readonly siteReady: 'none' | 'status' | 'ready';
  private readonly siteTimeoutMs: number;
  private readonly sites = new Map<string, Promise<SiteState>>();
  private readonly byUid = new Map<string, SiteState>();
  /** Every site this adapter made something for, ready or not: what close() cleans up. */
  private readonly made: SiteState[] = [];
  private readonly watches = new Map<string, NamespaceWatch>();
  private controller: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(readonly clients: KubeClients, options: Record<string, string>) {
    this.prefix = options.namespace ? dnsLabel(options.namespace) : undefined;
    this.allSecrets = options.secrets === 'all';
    if (options.secrets && !['all', 'tls'].includes(options.secrets)) throw new Error(`secrets must be tls or all, got ${options.secrets}`);
    const exclude = options.excludeSecrets ?? '^skupper-';
    this.excludeSecrets = exclude ? new RegExp(exclude) : undefined;
    this.settleMs = options.settleMs ? Number(options.settleMs) : 300;
    this.deleteNamespaces = options.deleteNamespaces === 'true';
    if (options.retireSites && !['true', 'false'].includes(options.retireSites)) throw new Error(`retireSites must be true or false, got ${options.retireSites}`);
    this.retireSites = options.retireSites !== 'false';
    const siteReady = options.siteReady ?? 'none';
    if (siteReady !== 'none' && siteReady !== 'status' && siteReady !== 'ready') throw new Error(`siteReady must be none, status or ready, got ${siteReady}`);
    this.siteReady = siteReady;
    this.siteTimeoutMs = options.siteTimeoutMs ? Number(options.siteTimeoutMs) : 180_000;
    this.version = options.version;
    this.features = options.features
      ? options.features.split(',').map((f) => f.trim()).filter(Boolean)
      : Object.keys(KNOWN_FEATURES);
  }

  async startController(): Promise<void> {
    // the reference controller is found by file, as load.ts finds every built-in: adapters/ imports no reference
    const { runController } = (await import(pathToFileURL(REFERENCE_CONTROLLER_MODULE).href)) as { runController: RunController };
    const abort = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const done = runController({
      clients: this.clients,
      signal: abort.signal,
      handleSignals: false,
      // with a prefix, only this adapter's namespaces: other runs may share the cluster
      namespaceFilter: this.prefix ? (ns) => ns.startsWith(`${this.prefix}-`) : undefined,
      // quiet unless asked for: the controller's lines would interleave with the run's output
      log: process.env.CONFORMANCE_CONTROLLER_LOG ? undefined : () => {},
      onReady: ready,
    });
    this.controller = { abort, done };
    await Promise.race([started, done]);
  }

  clusterNamespace(site: Site): string {
    return dnsLabel(this.prefix ? `${this.prefix}-${site.namespace}` : site.namespace);
  }

  async prepareSite(site: Site): Promise<Site> {
    const known = this.byUid.has(site.uid) || this.sites.has(siteKey(site));
    // A new scenario has begun: what the earlier ones made goes now (while the new site is made), before
    // the controller retries their failed tokens, at its resync, against the grant service the new
    // scenario uses.
    const earlier = this.retireSites && !known ? this.made.splice(0) : [];
    const [state] = await Promise.all([this.state(site), this.retire(earlier)]);
    return { ...state.prepared };
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

  /** The state of a site given as the scenario made it, or as prepareSite returned it. */
  private async state(site: Site): Promise<SiteState> {
    const known = this.byUid.get(site.uid);
    if (known) return known;
    const key = siteKey(site);
    let state = this.sites.get(key);
    if (!state) {
      state = this.createSite(site);
      this.sites.set(key, state);
      state.catch(() => this.sites.delete(key));
    }
    return state;
  }

  private async createSite(site: Site): Promise<SiteState> {
    const namespace = this.clusterNamespace(site);
    // the watch opens while the namespace and Site are made (a namespace that does not exist yet lists
    // empty and is watched all the same)
    const watching = this.watch(namespace);
    watching.catch(() => {}); // awaited below; a failure before that must not go unhandled
    let createdNamespace = false;
    try {
      await this.clients.core.createNamespace({
        body: { metadata: { name: namespace, labels: { [CREATED_BY_LABEL]: CREATED_BY } } },
      });
      createdNamespace = true;
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw toError(err, `could not create namespace ${namespace}`);
      const existing = await this.clients.core.readNamespace({ name: namespace });
      if (existing.metadata?.deletionTimestamp) {
        throw new Error(`namespace ${namespace} is being deleted; choose another namespace prefix (option namespace)`);
      }
    }

    const siteCoordinates = coordinates('Site', namespace);
    const list = (await this.clients.custom.listNamespacedCustomObject(siteCoordinates)) as { items: SiteResource[] };
    let resource = list.items.find((s) => s.metadata.name === site.name);
    const others = list.items.filter((s) => s.metadata.name !== site.name).map((s) => s.metadata.name);
    if (others.length > 0) {
      throw new Error(`namespace ${namespace} already has Site ${others.join(', ')}; each scenario site needs a namespace of its own`);
    }
    let createdSite = false;
    if (!resource) {
      const body: SiteResource = { apiVersion: SKUPPER_API_VERSION, kind: 'Site', metadata: { name: site.name, namespace }, spec: {} };
      try {
        resource = (await this.clients.custom.createNamespacedCustomObject({ ...siteCoordinates, body })) as SiteResource;
        createdSite = true;
      } catch (err) {
        throw toError(err, `could not create Site ${namespace}/${site.name}`);
      }
    }
    const state: SiteState = {
      key: siteKey(site),
      prepared: { name: site.name, namespace, uid: resource.metadata.uid ?? '' },
      createdNamespace,
      createdSite,
      tokens: new Set(),
    };
    this.made.push(state);

    const watch = await watching;
    if (this.siteReady !== 'none') {
      const usable = () => {
        const status = watch.sites.get(site.name, namespace)?.status;
        return this.siteReady === 'ready' ? status?.status === 'Ready' : !!status && Object.keys(status).length > 0;
      };
      if (!(await watch.until(usable, this.siteTimeoutMs))) {
        const status = watch.sites.get(site.name, namespace)?.status;
        throw new Error(
          `Site ${namespace}/${site.name} did not become ${this.siteReady === 'ready' ? 'Ready' : 'known to a controller (no status)'} ` +
            `within ${this.siteTimeoutMs} ms; its status: ${JSON.stringify(status ?? {})}`,
        );
      }
    }
    this.byUid.set(site.uid, state);
    this.byUid.set(state.prepared.uid, state);
    return state;
  }

  /** The started watch of a namespace; the least recently used one stops when too many run. */
  private async watch(namespace: string): Promise<NamespaceWatch> {
    let watch = this.watches.get(namespace);
    if (watch) this.watches.delete(namespace);
    else watch = new NamespaceWatch(this.clients, namespace);
    this.watches.set(namespace, watch); // most recently used last
    let running = 0;
    for (const w of [...this.watches.values()].reverse()) {
      if (!w.started) continue;
      if (++running > MAX_WATCHED_NAMESPACES) await w.stop();
    }
    await watch.start();
    return watch;
  }

  /**
   * Creates the AccessToken in the site's namespace, as `kubectl apply` would: a name already held is an
   * update of that token's spec, labels and annotations (its status stays). A status given with a new
   * token is written through the status subresource after the create. Returns once the adapter's watch
   * has seen the result, so observe() shows it.
   */
  async apply(token: AccessToken, site: Site): Promise<void> {
    const state = await this.state(site);
    const namespace = state.prepared.namespace;
    const tokenCoordinates = coordinates('AccessToken', namespace);
    const { name, labels, annotations } = token.metadata;
    const body: AccessToken = {
      apiVersion: token.apiVersion ?? SKUPPER_API_VERSION,
      kind: token.kind ?? 'AccessToken',
      metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
      spec: token.spec,
    };
    // the API server's words for a refusal (422 validation and the like), as kubectl prints them
    const refused = (err: unknown) => new Error(apiMessage(err), { cause: err });
    let stored: AccessToken;
    try {
      stored = (await this.clients.custom.createNamespacedCustomObject({ ...tokenCoordinates, body })) as AccessToken;
      if (token.status) {
        stored = (await this.clients.custom.replaceNamespacedCustomObjectStatus({
          ...tokenCoordinates,
          name,
          body: { ...stored, status: token.status },
        })) as AccessToken;
      }
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw refused(err);
      const current = (await this.clients.custom.getNamespacedCustomObject({ ...tokenCoordinates, name })) as AccessToken;
      const metadata = { ...current.metadata, labels, annotations: { ...annotations, ...resyncAnnotation(current) } };
      try {
        stored = (await this.clients.custom.replaceNamespacedCustomObject({
          ...tokenCoordinates,
          name,
          body: { ...current, metadata, spec: token.spec },
        })) as AccessToken;
      } catch (updateErr) {
        throw refused(updateErr);
      }
    }
    state.tokens.add(name);
    const watch = await this.watch(namespace);
    const seen = await watch.until(() => atLeast(watch.tokens.get(name, namespace)?.metadata.resourceVersion, stored.metadata.resourceVersion), WATCH_CATCH_UP_MS);
    if (!seen) throw new Error(`accesstoken ${namespace}/${name} was written but its watch did not report it within ${WATCH_CATCH_UP_MS} ms`);
  }

  async observe(site: Site): Promise<Observation> {
    const state = await this.state(site);
    const namespace = state.prepared.namespace;
    const watch = await this.watch(namespace);
    const secrets = watch.secrets
      .list(namespace)
      .filter((s) => this.allSecrets || s.type === 'kubernetes.io/tls')
      .filter((s) => !this.excludeSecrets?.test(s.metadata.name));
    return {
      accessTokens: watch.tokens.list(namespace).map(clone).sort(byName),
      secrets: secrets.map(clone).sort(byName),
      links: watch.links.list(namespace).map(clone).sort(byName),
    };
  }

  async waitForChange(site: Site, timeoutMs: number): Promise<boolean> {
    const state = await this.state(site);
    const watch = await this.watch(state.prepared.namespace);
    return watch.nextChange(timeoutMs);
  }

  /**
   * A resync as the controller's informer would make one: every token of the site is touched (an
   * annotation changes), which hands it to the controller's handler again. Returns once the watch has
   * seen the touches and the namespace has been quiet for `settleMs`.
   */
  async resync(site: Site): Promise<void> {
    const state = await this.state(site);
    const namespace = state.prepared.namespace;
    const watch = await this.watch(namespace);
    const stamp = new Date().toISOString();
    const written = new Map<string, string | undefined>();
    await Promise.all(
      watch.tokens.list(namespace).map(async (t) => {
        try {
          const patched = (await this.clients.custom.patchNamespacedCustomObject(
            {
              ...coordinates('AccessToken', namespace),
              name: t.metadata.name,
              body: { metadata: { annotations: { [RESYNC_ANNOTATION]: stamp } } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as AccessToken;
          written.set(t.metadata.name, patched.metadata.resourceVersion);
        } catch (err) {
          if (!isNotFound(err)) throw toError(err, `could not annotate accesstoken ${namespace}/${t.metadata.name}`);
        }
      }),
    );
    await watch.until(
      () => [...written].every(([name, rv]) => atLeast(watch.tokens.get(name, namespace)?.metadata.resourceVersion, rv)),
      WATCH_CATCH_UP_MS,
    );
    await watch.settle(this.settleMs, WATCH_CATCH_UP_MS);
  }

  async deleteSite(site: Site): Promise<void> {
    const state = await this.state(site);
    const { namespace, name } = state.prepared;
    try {
      await this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('Site', namespace), name });
    } catch (err) {
      if (!isNotFound(err)) throw toError(err, `could not delete Site ${namespace}/${name}`);
    }
  }

  /** Stops the in-process controller and the watches, and deletes what the scenarios made. */
  async close(): Promise<void> {
    if (this.controller) {
      this.controller.abort.abort();
      await this.controller.done.catch(() => {});
      this.controller = undefined;
    }
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
    this.clients.close();
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
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
    if (this.deleteNamespaces && state.createdNamespace) {
      await ignoreMissing(`namespace ${namespace}`, () => this.clients.core.deleteNamespace({ name: namespace }));
    }
  }
}

/** `--impl kubernetes`. */
export default async function create(options: Record<string, string>): Promise<KubernetesImplementation> {
  if (options.controller && !['external', 'in-process'].includes(options.controller)) {
    throw new Error(`controller must be external or in-process, got ${options.controller}`);
  }
  const clients = connect({ kubeconfig: options.kubeconfig || undefined, context: options.context || undefined });
  try {
    try {
      await ensureCrdsInstalled(clients);
    } catch (err) {
      if (options.installCrds !== 'true' || !/is not installed/.test((err as Error).message)) throw err;
      await installCrds(clients);
    }
    const adapter = new KubernetesAdapter(clients, options);
    if (options.controller === 'in-process') await adapter.startController();
    return adapter;
  } catch (err) {
    clients.close();
    throw err;
  }
}
