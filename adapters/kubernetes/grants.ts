// `--side grant-service --impl kubernetes`: a grant service judged through AccessGrant resources in a
// cluster (Skupper's controller with grants enabled, the reference controller, or another). Each issuing
// site is a namespace (labelled as made by the suite) with a Site resource whose status carries the
// scenario's endpoints; AccessGrants are applied there as `kubectl apply` would, and observed with the
// status the grant service wrote. Options: grant-options.ts.
import type { GrantServiceImplementation, IssuingSite } from '../contract.ts';
import { SKUPPER_API_VERSION, type AccessGrant, type Endpoint, type SiteResource } from '../../model/resources.ts';
import {
  apiStatusCode,
  connectWithCrds,
  coordinates,
  GRANT_SERVICE_KINDS,
  isNotFound,
  toError,
  type KubeClients,
} from './client.ts';
import { parseGrantServiceOptions, type GrantServiceOptions } from './grant-options.ts';
import { dnsLabel } from './options.ts';
import { CREATED_BY, CREATED_BY_LABEL } from './sites.ts';

/** Attempts at a write that meets a newer version of the object (409 Conflict). */
const CONFLICT_RETRIES = 5;

interface MadeSite {
  namespace: string;
  name: string;
  createdNamespace: boolean;
  createdSite: boolean;
  grants: Set<string>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KubernetesGrantService implements GrantServiceImplementation {
  readonly name = 'kubernetes';
  readonly version?: string;
  readonly features: string[];
  /** By cluster namespace. */
  private readonly made = new Map<string, MadeSite>();

  constructor(
    private readonly clients: KubeClients,
    private readonly options: GrantServiceOptions,
  ) {
    this.version = options.version;
    this.features = [...options.features];
  }

  /** The cluster namespace an issuing site maps to. */
  clusterNamespace(site: IssuingSite): string {
    const prefix = this.options.prefix;
    return dnsLabel(prefix ? `${prefix}-${site.namespace}` : site.namespace);
  }

  /**
   * Makes the namespace and its Site (again for a site already made: its endpoints may have changed) and
   * returns the site as the cluster has it: the Site's uid and the endpoints its status shows.
   */
  async prepareSite(site: IssuingSite): Promise<IssuingSite> {
    const namespace = this.made.has(site.namespace) ? site.namespace : this.clusterNamespace(site);
    let made = this.made.get(namespace);
    if (!made) {
      const createdNamespace = await this.createNamespace(namespace);
      made = { namespace, name: site.name, createdNamespace, createdSite: false, grants: new Set() };
      this.made.set(namespace, made);
    }
    let resource = await this.siteResource(made);
    resource =
      this.options.siteEndpoints === 'status'
        ? await this.writeEndpoints(resource, site.endpoints)
        : await this.clusterEndpoints(resource);
    return { name: made.name, namespace, uid: resource.metadata.uid ?? '', endpoints: resource.status?.endpoints ?? [] };
  }

  async applyGrant(grant: AccessGrant, site: IssuingSite): Promise<void> {
    const namespace = this.made.has(site.namespace) ? site.namespace : (await this.prepareSite(site)).namespace;
    const name = grant.metadata.name;
    const at = { ...coordinates('AccessGrant', namespace), name };
    this.made.get(namespace)!.grants.add(name);
    const body: AccessGrant = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name, namespace }, spec: grant.spec ?? {} };
    try {
      await this.clients.custom.createNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), body });
      return;
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw toError(err, `could not create AccessGrant ${namespace}/${name}`);
    }
    // there already: its spec becomes the one given (metadata and status stay the cluster's)
    for (let attempt = 0; ; attempt++) {
      const existing = (await this.clients.custom.getNamespacedCustomObject(at)) as AccessGrant;
      try {
        await this.clients.custom.replaceNamespacedCustomObject({ ...at, body: { ...existing, spec: grant.spec ?? {} } });
        return;
      } catch (err) {
        if (apiStatusCode(err) !== 409 || attempt >= CONFLICT_RETRIES) throw toError(err, `could not update AccessGrant ${namespace}/${name}`);
      }
    }
  }

  async observe(site: IssuingSite): Promise<{ accessGrants: AccessGrant[] }> {
    let list: { items?: AccessGrant[] };
    try {
      list = (await this.clients.custom.listNamespacedCustomObject(coordinates('AccessGrant', site.namespace))) as { items?: AccessGrant[] };
    } catch (err) {
      throw toError(err, `could not list the AccessGrants of ${site.namespace}`);
    }
    return { accessGrants: (list.items ?? []).map((g) => this.reachable(g)) };
  }

  /** Deletes the AccessGrant and waits until it is gone (a grant service may hold it with a finalizer until it stops serving it). */
  async deleteGrant(name: string, site: IssuingSite): Promise<void> {
    const at = { ...coordinates('AccessGrant', site.namespace), name };
    try {
      await this.clients.custom.deleteNamespacedCustomObject(at);
    } catch (err) {
      if (isNotFound(err)) return;
      throw toError(err, `could not delete AccessGrant ${site.namespace}/${name}`);
    }
    const deadline = Date.now() + this.options.deleteTimeoutMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        await this.clients.custom.getNamespacedCustomObject(at);
      } catch (err) {
        if (isNotFound(err)) return;
        throw toError(err, `could not read AccessGrant ${site.namespace}/${name}`);
      }
      if (Date.now() > deadline) throw new Error(`AccessGrant ${site.namespace}/${name} was still there ${this.options.deleteTimeoutMs} ms after its deletion (a finalizer nobody removes?)`);
      await pause(delay);
    }
  }

  /** Deletes the grants applied and the Sites (and, with deleteNamespaces, the namespaces) made; closes the connections. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    const ignoreMissing = async (what: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (err) {
        if (!isNotFound(err)) errors.push(toError(err, `could not delete ${what}`));
      }
    };
    try {
      await Promise.all(
        [...this.made.values()].map(async (made) => {
          const { namespace } = made;
          await Promise.all(
            [...made.grants].map((name) =>
              ignoreMissing(`AccessGrant ${namespace}/${name}`, () =>
                this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('AccessGrant', namespace), name }),
              ),
            ),
          );
          if (made.createdSite) {
            await ignoreMissing(`Site ${namespace}/${made.name}`, () =>
              this.clients.custom.deleteNamespacedCustomObject({ ...coordinates('Site', namespace), name: made.name }),
            );
          }
          if (this.options.deleteNamespaces && made.createdNamespace) {
            await ignoreMissing(`namespace ${namespace}`, () => this.clients.core.deleteNamespace({ name: namespace }));
          }
        }),
      );
      this.made.clear();
    } finally {
      this.clients.close();
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  // ------------------------------------------------------------------------------------------------

  /** The grant with status.url's host rewritten to grantHost, when one is given. */
  private reachable(grant: AccessGrant): AccessGrant {
    const host = this.options.grantHost;
    if (!host || !grant.status?.url) return grant;
    try {
      const url = new URL(grant.status.url);
      url.hostname = host;
      return { ...grant, status: { ...grant.status, url: url.href } };
    } catch {
      return grant; // a URL that does not parse is shown as the service wrote it, to be judged
    }
  }

  /** Creates the namespace; false when it was there already (and is not being deleted). */
  private async createNamespace(namespace: string): Promise<boolean> {
    try {
      await this.clients.core.createNamespace({ body: { metadata: { name: namespace, labels: { [CREATED_BY_LABEL]: CREATED_BY } } } });
      return true;
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw toError(err, `could not create namespace ${namespace}`);
      const existing = await this.clients.core.readNamespace({ name: namespace });
      if (existing.metadata?.deletionTimestamp) throw new Error(`namespace ${namespace} is being deleted; choose another namespace prefix (option namespace)`);
      return false;
    }
  }

  /** The namespace's Site: the one there (a namespace has one Site), or a new one of the site's name. */
  private async siteResource(made: MadeSite): Promise<SiteResource> {
    const at = coordinates('Site', made.namespace);
    const list = (await this.clients.custom.listNamespacedCustomObject(at)) as { items: SiteResource[] };
    const existing = list.items.find((s) => s.metadata.name === made.name) ?? list.items[0];
    if (existing) {
      made.name = existing.metadata.name;
      return existing;
    }
    const body: SiteResource = { apiVersion: SKUPPER_API_VERSION, kind: 'Site', metadata: { name: made.name, namespace: made.namespace }, spec: {} };
    try {
      const created = (await this.clients.custom.createNamespacedCustomObject({ ...at, body })) as SiteResource;
      made.createdSite = true;
      return created;
    } catch (err) {
      throw toError(err, `could not create Site ${made.namespace}/${made.name}`);
    }
  }

  /** Puts the endpoints in the Site's status (the rest of its status stays); returns the Site as stored. */
  private async writeEndpoints(site: SiteResource, endpoints: Endpoint[]): Promise<SiteResource> {
    const { namespace = '', name } = site.metadata;
    let current = site;
    for (let attempt = 0; ; attempt++) {
      const body: SiteResource = { ...current, status: { ...current.status, endpoints: endpoints.map((e) => ({ ...e })) } };
      try {
        return (await this.clients.custom.replaceNamespacedCustomObjectStatus({ ...coordinates('Site', namespace), name, body })) as SiteResource;
      } catch (err) {
        if (apiStatusCode(err) !== 409 || attempt >= CONFLICT_RETRIES) {
          throw toError(err, `could not write the endpoints of Site ${namespace}/${name} into its status (option siteEndpoints=cluster leaves them to the cluster)`);
        }
        current = (await this.clients.custom.getNamespacedCustomObject({ ...coordinates('Site', namespace), name })) as SiteResource;
      }
    }
  }

  /** The Site once the cluster's controller shows endpoints in its status (siteEndpoints=cluster). */
  private async clusterEndpoints(site: SiteResource): Promise<SiteResource> {
    const { namespace = '', name } = site.metadata;
    const deadline = Date.now() + this.options.siteTimeoutMs;
    let current = site;
    while (!current.status?.endpoints?.length) {
      if (Date.now() > deadline) throw new Error(`Site ${namespace}/${name} showed no endpoints in its status within ${this.options.siteTimeoutMs} ms`);
      await pause(200);
      current = (await this.clients.custom.getNamespacedCustomObject({ ...coordinates('Site', namespace), name })) as SiteResource;
    }
    return current;
  }
}

/** `--side grant-service --impl kubernetes`. The options are checked before the cluster is reached. */
export default async function create(options: Record<string, string>): Promise<KubernetesGrantService> {
  const parsed = parseGrantServiceOptions(options);
  return new KubernetesGrantService(await connectWithCrds(parsed, GRANT_SERVICE_KINDS), parsed);
}
