// A list+watch cache (client-node's ListWatch) that restarts itself after errors. ListWatch stops for
// good when a list or watch request fails; controllers and the adapter need it to keep going.
import { collectionPath, coordinates, PLURAL, type KubeClients, type SkupperKind } from './client.ts';
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from './client-node.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

/** What the informer needs of an object: this project's resource types and client-node's models alike. */
export interface Named {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

/** A list response: `items` and the list's resourceVersion. */
export interface ListResponse<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface ResilientInformerOptions {
  /** Called with each list/watch failure before the informer retries; default: ignore. */
  onError?: (err: unknown) => void;
  /** Delay before a retry; default 1 s. */
  retryDelayMs?: number;
}

export class ResilientInformer<T extends Named> {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private startError: unknown;
  private starting = false;

  constructor(
    kubeConfig: KubeConfig,
    /** API path of the collection, e.g. `/api/v1/namespaces/ns/secrets` */
    readonly path: string,
    list: () => Promise<ListResponse<T>>,
    private readonly options: ResilientInformerOptions = {},
  ) {
    this.listWatch = new ListWatch<KubernetesObject>(
      path,
      new Watch(kubeConfig),
      list as unknown as () => Promise<KubernetesListObject<KubernetesObject>>,
      false,
    );
    this.listWatch.on('error', (err) => this.failed(err));
  }

  on(event: InformerEvent, callback: (obj: T) => void): this {
    this.listWatch.on(event, callback as unknown as (obj: KubernetesObject) => void);
    return this;
  }

  /**
   * Lists the collection and opens the watch. Resolves once the cache holds the list; rejects when
   * that first list fails (the informer is then stopped).
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.startError = undefined;
    this.starting = true;
    try {
      await this.listWatch.start();
    } finally {
      this.starting = false;
    }
    if (this.startError !== undefined && this.listWatch.latestResourceVersion() === '') {
      const err = this.startError;
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.listWatch.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace) as unknown as readonly T[];
  }

  private failed(err: unknown): void {
    if (this.starting) this.startError = err;
    if (this.stopped) return;
    this.options.onError?.(err);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.listWatch.start().catch((e: unknown) => this.failed(e));
    }, this.options.retryDelayMs ?? 1000);
  }
}

/** An informer on one kind of Skupper resource, in a namespace or all of them; watch errors are logged and retried. */
export function skupperInformer<T extends Named>(
  clients: KubeClients,
  kind: SkupperKind,
  namespace: string | undefined,
  log: (line: string) => void,
): ResilientInformer<T> {
  const list = () =>
    (namespace
      ? clients.custom.listNamespacedCustomObject(coordinates(kind, namespace))
      : clients.custom.listClusterCustomObject(coordinates(kind))) as Promise<ListResponse<T>>;
  return new ResilientInformer<T>(clients.kubeConfig, collectionPath(kind, namespace), list, {
    onError: (err) => log(`watch of ${PLURAL[kind]} failed, retrying: ${err instanceof Error ? err.message : String(err)}`),
  });
}
