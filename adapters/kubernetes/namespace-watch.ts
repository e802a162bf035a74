// Watches of one namespace's AccessTokens, Secrets, Links (and Sites, when asked), kept in caches the adapter reads from, with
// change notification: observe() costs no API call, and waiting for a status is waiting for an event.
import { rfc3339Seconds } from '../../model/text.ts';
import type { AccessToken, Link, Secret, SiteResource } from '../../model/resources.ts';
import { collectionPath, coordinates, type KubeClients } from './client.ts';
import { ResilientInformer, type ListResponse, type Named } from './informer.ts';

/**
 * client-node's typed list calls turn timestamps into Date objects while watch events carry the JSON
 * strings: make list results look like what the API server sent.
 */
export function toWireJson<T>(value: T): T {
  if (value instanceof Date) return rfc3339Seconds(value) as T; // Kubernetes times have second precision
  if (Array.isArray(value)) return value.map(toWireJson) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWireJson(v);
    return out as T;
  }
  return value;
}

export class NamespaceWatch {
  readonly tokens: ResilientInformer<AccessToken>;
  readonly secrets: ResilientInformer<Secret>;
  readonly links: ResilientInformer<Link>;
  /** Only when a site must become usable (the adapter's siteReady option): otherwise nothing reads it. */
  readonly sites: ResilientInformer<SiteResource> | undefined;
  private readonly listeners = new Set<() => void>();
  private running: Promise<void> | undefined;

  /**
   * `watchSites`: watch the namespace's Sites too. Each watch is a list and a connection of its own for
   * every scenario namespace; the Sites one is needed only to wait for a controller to take the Site up.
   */
  constructor(clients: KubeClients, readonly namespace: string, { watchSites = true }: { watchSites?: boolean } = {}) {
    const custom = <T extends Named>(kind: 'AccessToken' | 'Link' | 'Site') =>
      new ResilientInformer<T>(
        clients.kubeConfig,
        collectionPath(kind, namespace),
        () => clients.custom.listNamespacedCustomObject(coordinates(kind, namespace)) as Promise<ListResponse<T>>,
      );
    this.tokens = custom<AccessToken>('AccessToken');
    this.links = custom<Link>('Link');
    this.sites = watchSites ? custom<SiteResource>('Site') : undefined;
    this.secrets = new ResilientInformer<Secret>(
      clients.kubeConfig,
      `/api/v1/namespaces/${namespace}/secrets`,
      async () => toWireJson(await clients.core.listNamespacedSecret({ namespace })) as unknown as ListResponse<Secret>,
    );
    const changed = () => {
      for (const listener of [...this.listeners]) listener();
    };
    for (const informer of this.informers()) {
      informer.on('add', changed).on('update', changed).on('delete', changed);
    }
  }

  private informers(): ResilientInformer<Named>[] {
    return [this.tokens, this.secrets, this.links, ...(this.sites ? [this.sites] : [])] as ResilientInformer<Named>[];
  }

  /** Lists and starts watching (once); resolves when the caches are filled. */
  start(): Promise<void> {
    this.running ??= Promise.all(this.informers().map((i) => i.start())).then(
      () => undefined,
      async (err: unknown) => {
        await this.stop();
        throw err;
      },
    );
    return this.running;
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  async stop(): Promise<void> {
    this.running = undefined;
    await Promise.all(this.informers().map((i) => i.stop()));
    // wake waiters: nothing more will arrive
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves true at the next change in the namespace, false when `timeoutMs` passes first. */
  nextChange(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(changed);
      };
      const listener = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Waits until `predicate` holds for the caches; false when `timeoutMs` passes first. */
  async until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0 || !this.started) return predicate();
      await this.nextChange(left);
    }
    return true;
  }

  /** Waits until no change has arrived for `quietMs` (at most `timeoutMs`). */
  async settle(quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await this.nextChange(Math.min(quietMs, deadline - Date.now())))) {
      // a change arrived: wait for quiet again
    }
  }
}
