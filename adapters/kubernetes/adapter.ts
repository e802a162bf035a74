// `--impl kubernetes`: the implementation under test is whatever controller reconciles AccessTokens in a
// Kubernetes cluster (Skupper's controller, or this project's reference controller). The adapter plays
// the user: it makes a namespace with a Site per scenario site (sites.ts), creates AccessTokens, and reads
// back tokens, Secrets and Links from watches of the namespace. Its options are in options.ts.
import { PatchStrategy, setHeaderOptions } from './client-node.ts';
import { pathToFileURL } from 'node:url';
import type { Implementation, Observation, Site } from '../contract.ts';
import { REFERENCE_CONTROLLER_MODULE } from '../load.ts';
import { SKUPPER_API_VERSION, type AccessToken } from '../../model/resources.ts';
import { apiMessage, apiStatusCode, connectWithCrds, coordinates, isNotFound, REDEEMER_KINDS, toError, type KubeClients } from './client.ts';
import { parseOptions, type KubernetesOptions } from './options.ts';
import { ClusterSites } from './sites.ts';

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
  deleteToken(name: string, site: Site): Promise<void>;
  close(): Promise<void>;
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
  private readonly sites: ClusterSites;
  private controller: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(
    readonly clients: KubeClients,
    private readonly options: KubernetesOptions,
  ) {
    this.version = options.version;
    this.features = [...options.features];
    this.sites = new ClusterSites(clients, options);
  }

  async startController(): Promise<void> {
    // the reference controller is found by file, as load.ts finds every built-in: adapters/ imports no reference
    const { runController } = (await import(pathToFileURL(REFERENCE_CONTROLLER_MODULE).href)) as { runController: RunController };
    const abort = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const prefix = this.options.prefix;
    const done = runController({
      clients: this.clients,
      signal: abort.signal,
      handleSignals: false,
      // with a prefix, only this adapter's namespaces: other runs may share the cluster
      namespaceFilter: prefix ? (ns) => ns.startsWith(`${prefix}-`) : undefined,
      // quiet unless asked for: the controller's lines would interleave with the run's output
      log: process.env.CONFORMANCE_CONTROLLER_LOG ? undefined : () => {},
      onReady: ready,
    });
    this.controller = { abort, done };
    await Promise.race([started, done]);
  }

  clusterNamespace(site: Site): string {
    return this.sites.clusterNamespace(site);
  }

  prepareSite(site: Site): Promise<Site> {
    return this.sites.prepare(site);
  }

  /**
   * Creates the AccessToken in the site's namespace, as `kubectl apply` would: a name already held is an
   * update of that token's spec, labels and annotations (its status stays). A status given with a new
   * token is written through the status subresource after the create. Returns once the adapter's watch
   * has seen the result, so observe() shows it.
   */
  async apply(token: AccessToken, site: Site): Promise<void> {
    const state = await this.sites.state(site);
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
    const watch = await this.sites.watch(namespace);
    const seen = await watch.until(() => atLeast(watch.tokens.get(name, namespace)?.metadata.resourceVersion, stored.metadata.resourceVersion), WATCH_CATCH_UP_MS);
    if (!seen) throw new Error(`accesstoken ${namespace}/${name} was written but its watch did not report it within ${WATCH_CATCH_UP_MS} ms`);
  }

  async observe(site: Site): Promise<Observation> {
    const { namespace, watch } = await this.sites.watched(site);
    const secrets = watch.secrets
      .list(namespace)
      .filter((s) => this.options.allSecrets || s.type === 'kubernetes.io/tls')
      .filter((s) => !this.options.excludeSecrets?.test(s.metadata.name));
    return {
      accessTokens: watch.tokens.list(namespace).map(clone).sort(byName),
      secrets: secrets.map(clone).sort(byName),
      links: watch.links.list(namespace).map(clone).sort(byName),
    };
  }

  async waitForChange(site: Site, timeoutMs: number): Promise<boolean> {
    const { watch } = await this.sites.watched(site);
    return watch.nextChange(timeoutMs);
  }

  /**
   * A resync as the controller's informer would make one: every token of the site is touched (an
   * annotation changes), which hands it to the controller's handler again. Returns once the watch has
   * seen the touches and the namespace has been quiet for `settleMs`.
   */
  async resync(site: Site): Promise<void> {
    const { namespace, watch } = await this.sites.watched(site);
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
    await watch.settle(this.options.settleMs, WATCH_CATCH_UP_MS);
  }

  deleteSite(site: Site): Promise<void> {
    return this.sites.deleteSite(site);
  }

  /**
   * Deletes the AccessToken as `kubectl delete` would, and returns once the watch has seen it go. The
   * garbage collector then removes what the token owned; a bare API server runs none, so there only a
   * controller's own deletions show (docs/kubernetes.md).
   */
  async deleteToken(name: string, site: Site): Promise<void> {
    const { namespace, watch } = await this.sites.watched(site);
    try {
      await this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('AccessToken', namespace), name });
    } catch (err) {
      if (!isNotFound(err)) throw toError(err, `could not delete accesstoken ${namespace}/${name}`);
    }
    const gone = await watch.until(() => !watch.tokens.get(name, namespace), WATCH_CATCH_UP_MS);
    if (!gone) {
      const finalizers = (watch.tokens.get(name, namespace)?.metadata as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      throw new Error(
        `accesstoken ${namespace}/${name} was deleted but its watch still showed it after ${WATCH_CATCH_UP_MS} ms` +
          (finalizers.length > 0 ? ` (finalizers: ${finalizers.join(', ')})` : ''),
      );
    }
  }

  /** Stops the in-process controller and the watches, and deletes what the scenarios made. */
  async close(): Promise<void> {
    if (this.controller) {
      this.controller.abort.abort();
      await this.controller.done.catch(() => {});
      this.controller = undefined;
    }
    try {
      await this.sites.close();
    } finally {
      this.clients.close();
    }
  }
}

/** `--impl kubernetes`. The options are checked before the cluster is reached. */
export default async function create(options: Record<string, string>): Promise<KubernetesImplementation> {
  const parsed = parseOptions(options);
  const clients = await connectWithCrds(parsed, REDEEMER_KINDS);
  try {
    const adapter = new KubernetesAdapter(clients, parsed);
    if (parsed.controller === 'in-process') await adapter.startController();
    return adapter;
  } catch (err) {
    clients.close();
    throw err;
  }
}
