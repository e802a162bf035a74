// The reference controller's grant side (`accesstoken-conformance controller`): AccessGrants in the
// namespaces it watches are processed as the reference grant service processes them (ClusterGrantService),
// their status (url, code, ca, expirationTime, redemptions, conditions) written through the status
// subresource and spec.redemptionsAllowed defaulted, and they are redeemed at the HTTPS grant service it
// serves (Skupper's check order and answers, TLS 1.3, the run's PKI). After each redemption the grant's
// status.redemptions is written again.
//
// Deletion is made observable with a finalizer: a deleted grant stays until this controller has stopped
// serving it, so once the AccessGrant is gone from the API server its URL answers 404 `No such claim`.
// (A grant deleted while no controller runs stays until one runs again.)
import type { IssuingSite } from '../../../adapters/contract.ts';
import {
  apiStatusCode,
  coordinates,
  isNotFound,
  toError,
  type KubeClients,
} from '../../../adapters/kubernetes/client.ts';
import { skupperInformer, type ResilientInformer } from '../../../adapters/kubernetes/informer.ts';
import type { AccessGrant, AccessGrantStatus, SiteResource } from '../../../model/resources.ts';
import { getRunPki, runHosts } from '../../pki.ts';
import { WorkQueue } from '../../redeemer/kubernetes/work-queue.ts';
import { GrantService } from '../service.ts';
import { ClusterGrantRegistry, ClusterGrantService } from './cluster-grant-service.ts';

/** Held by every AccessGrant this controller serves, until it has stopped serving it. */
export const GRANT_FINALIZER = 'accesstoken-conformance.skupper.io/grant-service';

export interface GrantServingOptions {
  clients: KubeClients;
  /** Serve only this namespace's grants; default: all namespaces. */
  namespace?: string;
  namespaceFilter?: (namespace: string) => boolean;
  /** The HTTPS port; default 0: any free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  listenHost?: string;
  /** Host put in grant URLs (and named by the server certificate); default 127.0.0.1. */
  grantHost?: string;
  log: (line: string) => void;
}

type Meta = AccessGrant['metadata'] & { finalizers?: string[]; deletionTimestamp?: string };

/** Keys and values as a stable text, whatever order the API server gives the keys in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}


export class GrantServing {
  private readonly grantInformer: ResilientInformer<AccessGrant>;
  private readonly siteInformer: ResilientInformer<SiteResource>;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly options: GrantServingOptions,
    private readonly service: GrantService,
    private readonly grants: ClusterGrantService,
  ) {
    const { clients, namespace, log } = options;
    this.queue = new WorkQueue((key) => this.handle(key), {
      onError: (key, err, willRetry) => log(`accessgrant ${key}: ${err instanceof Error ? err.message : String(err)}${willRetry ? ' (will retry)' : ' (giving up)'}`),
    });
    this.grantInformer = skupperInformer<AccessGrant>(clients, 'AccessGrant', namespace, log);
    this.siteInformer = skupperInformer<SiteResource>(clients, 'Site', namespace, log);
    const enqueue = (g: AccessGrant) => this.enqueue(g.metadata.namespace ?? '', g.metadata.name);
    this.grantInformer.on('add', enqueue).on('update', enqueue).on('delete', enqueue);
    // a Site's endpoints are what redemptions answer: its grants are processed again when it changes
    const siteChanged = (s: SiteResource) => {
      for (const g of this.grantInformer.list(s.metadata.namespace)) enqueue(g);
    };
    this.siteInformer.on('add', siteChanged).on('update', siteChanged).on('delete', siteChanged);
    this.unsubscribe = service.onRequestAnswered((request) => {
      // the controller keeps no request history; a redemption's count goes to the grant's status
      service.forgetRequests();
      if (request.answer?.status !== 200 || !request.grantUid) return;
      const key = grants.keyOf(request.grantUid);
      if (key) this.queue.add(key);
    });
  }

  /** Starts the HTTPS grant service, then lists and watches AccessGrants and Sites. */
  static async start(options: GrantServingOptions): Promise<GrantServing> {
    const hosts = runHosts(options.grantHost);
    const service = await GrantService.start({
      pki: await getRunPki(hosts),
      urlHost: hosts[0],
      listenHost: options.listenHost,
      port: options.port ?? 0,
      registry: (pki) => new ClusterGrantRegistry(pki),
    });
    const serving = new GrantServing(options, service, new ClusterGrantService(service));
    try {
      await serving.siteInformer.start();
      await serving.grantInformer.start();
    } catch (err) {
      await serving.stop();
      throw err;
    }
    options.log(`serving accessgrants at ${service.url} in ${options.namespace ? `namespace ${options.namespace}` : 'all namespaces'}`);
    return serving;
  }

  /** The grant service's base URL (`https://host:port`). */
  get url(): string {
    return this.service.url;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    await Promise.all([this.grantInformer.stop(), this.siteInformer.stop()]);
    await this.queue.shutDown();
    await this.service.stop();
  }

  private enqueue(namespace: string, name: string): void {
    if (this.options.namespaceFilter && !this.options.namespaceFilter(namespace)) return;
    this.queue.add(`${namespace}/${name}`);
  }

  /** Brings one grant's serving and its resource in line with each other (read from the API server, not the cache). */
  private async handle(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const custom = this.options.clients.custom;
    const at = { ...coordinates('AccessGrant', namespace), name };
    let grant: AccessGrant;
    try {
      grant = (await custom.getNamespacedCustomObject(at)) as AccessGrant;
    } catch (err) {
      if (!isNotFound(err)) throw toError(err, `could not read accessgrant ${key}`);
      await this.grants.deleteGrant(name, this.anySite(namespace));
      return;
    }
    const meta = grant.metadata as Meta;
    if (meta.deletionTimestamp) {
      await this.grants.deleteGrant(name, this.anySite(namespace));
      if (meta.finalizers?.includes(GRANT_FINALIZER)) {
        const body = { ...grant, metadata: { ...meta, finalizers: meta.finalizers.filter((f) => f !== GRANT_FINALIZER) } };
        await this.write(() => custom.replaceNamespacedCustomObject({ ...at, body }), `remove the finalizer of accessgrant ${key}`);
        this.options.log(`accessgrant ${key}: deleted, no longer served`);
      }
      return;
    }

    const site = await this.issuingSite(namespace);
    let processed = await this.grants.process(grant, site);
    if (grant.spec.redemptionsAllowed !== processed.redemptionsAllowed || !meta.finalizers?.includes(GRANT_FINALIZER)) {
      const body: AccessGrant = {
        ...grant,
        metadata: { ...meta, finalizers: [...(meta.finalizers ?? []).filter((f) => f !== GRANT_FINALIZER), GRANT_FINALIZER] } as Meta,
        spec: { ...grant.spec, redemptionsAllowed: processed.redemptionsAllowed },
      };
      grant = (await this.write(() => custom.replaceNamespacedCustomObject({ ...at, body }), `update accessgrant ${key}`)) as AccessGrant;
      processed = await this.grants.process(grant, site); // the conditions name the new generation
    }
    if (canonical(grant.status ?? {}) === canonical(processed.status)) return;
    const body: AccessGrant = { ...grant, status: processed.status };
    await this.write(() => custom.replaceNamespacedCustomObjectStatus({ ...at, body }), `update the status of accessgrant ${key}`);
    const s: AccessGrantStatus = processed.status;
    this.options.log(`accessgrant ${key}: ${s.status} ${s.message} (redemptions ${s.redemptions}/${processed.redemptionsAllowed})`);
  }

  /** A write; a conflict (the grant changed meanwhile) fails the handling, which the queue retries on a fresh read. */
  private async write(call: () => Promise<unknown>, what: string): Promise<unknown> {
    try {
      return await call();
    } catch (err) {
      if (apiStatusCode(err) === 409) throw new Error(`could not ${what}: it changed meanwhile`);
      throw toError(err, `could not ${what}`);
    }
  }

  /** The namespace's Site (the first not being deleted) with its status.endpoints: the site that owns the grants. */
  private async issuingSite(namespace: string): Promise<IssuingSite> {
    let sites: SiteResource[];
    try {
      sites = ((await this.options.clients.custom.listNamespacedCustomObject(coordinates('Site', namespace))) as { items: SiteResource[] }).items;
    } catch (err) {
      throw toError(err, `could not list the Sites of ${namespace}`);
    }
    const site = sites.find((s) => !(s.metadata as Meta).deletionTimestamp);
    if (!site) return this.anySite(namespace);
    return { name: site.metadata.name, namespace, uid: site.metadata.uid ?? '', endpoints: site.status?.endpoints ?? [] };
  }

  /** A namespace with no Site: grants are served, and their redemptions answer no Link. */
  private anySite(namespace: string): IssuingSite {
    return { name: '', namespace, uid: '', endpoints: [] };
  }
}
