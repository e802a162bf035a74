// The reference grant service's processing (ReferenceGrantService) applied to AccessGrants that live in a
// cluster: the same defaults, code, expiration time and conditions, with what only a cluster has — the
// resource's uid in the grant URL, its generation in the conditions, and, after a controller restart, the
// code, expiration time and redemption count its status already holds.
import type { IssuingSite } from '../../../adapters/contract.ts';
import type { AccessGrant, AccessGrantStatus } from '../../../model/resources.ts';
import { GrantRegistry, type Grant, type GrantOptions } from '../registry.ts';
import { ReferenceGrantService } from '../implementation.ts';
import type { GrantService } from '../service.ts';

/** What processing one cluster AccessGrant gives: the spec value to default and the status to write. */
export interface Processed {
  redemptionsAllowed: number;
  status: AccessGrantStatus;
  record: Grant;
}

/**
 * A GrantRegistry whose grants take the uid the cluster gave their AccessGrant (the URL ends with it, as
 * Skupper's does), told before each grant is created.
 */
export class ClusterGrantRegistry extends GrantRegistry {
  private readonly uids = new Map<string, string>();

  /** The uid the next grant of this namespace and name is created with. */
  expectUid(namespace: string, name: string, uid: string | undefined): void {
    if (uid) this.uids.set(`${namespace}/${name}`, uid);
  }

  override create(options: GrantOptions = {}): Grant {
    const key = `${options.namespace}/${options.name}`;
    const uid = options.uid ?? this.uids.get(key);
    this.uids.delete(key);
    return super.create({ ...options, uid });
  }
}

export class ClusterGrantService extends ReferenceGrantService {
  /** The cluster's copy of the grant being processed (its status seeds a grant this process has not seen). */
  private current: AccessGrant | undefined;

  constructor(service: GrantService) {
    super(service, { name: 'reference-controller' });
  }

  private get clusterRegistry(): ClusterGrantRegistry {
    return this.service.registry as ClusterGrantRegistry;
  }

  /**
   * Processes the cluster's AccessGrant as the reference processes an applied one, and returns what the
   * cluster should show: spec.redemptionsAllowed (defaulted) and the status. A grant re-created under
   * the same name (a new uid) is a new grant: the old one is forgotten first.
   */
  async process(grant: AccessGrant, site: IssuingSite): Promise<Processed> {
    const { name } = grant.metadata;
    const key = `${site.namespace}/${name}`;
    const known = this.issued.get(key);
    if (known && grant.metadata.uid && known.record.uid !== grant.metadata.uid) await this.deleteGrant(name, site);
    const fresh = !this.issued.has(key);
    this.clusterRegistry.expectUid(site.namespace, name, grant.metadata.uid);
    this.current = grant;
    try {
      await this.applyGrant(grant, site);
    } finally {
      this.current = undefined;
    }
    const issued = this.issued.get(key)!;
    // a controller that restarts keeps counting from what the status showed
    const counted = grant.status?.redemptions ?? 0;
    if (fresh && counted > issued.record.redemptions) issued.record.redemptions = counted;
    return {
      redemptionsAllowed: issued.resource.spec.redemptionsAllowed ?? this.redemptionsAllowed(grant),
      status: this.statusOf(key)!,
      record: issued.record,
    };
  }

  /** The status to write for a processed grant now (redemptions as counted so far); undefined when unknown. */
  statusOf(key: string): AccessGrantStatus | undefined {
    const issued = this.issued.get(key);
    if (!issued) return undefined;
    return { ...structuredClone(issued.resource.status ?? {}), redemptions: this.redemptionsShown(issued) };
  }

  /** The namespace/name of the grant served under this uid. */
  keyOf(uid: string): string | undefined {
    for (const [key, issued] of this.issued) if (issued.record.uid === uid) return key;
    return undefined;
  }

  protected override code(grant: AccessGrant): string {
    return this.current?.status?.code || super.code(grant);
  }

  protected override expirationTime(grant: AccessGrant): string {
    return this.current?.status?.expirationTime || super.expirationTime(grant);
  }

  protected override setConditions(status: AccessGrantStatus, error: string | undefined, generation: number): void {
    super.setConditions(status, error, this.current?.metadata.generation ?? generation);
  }
}
