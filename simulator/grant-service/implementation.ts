// The built-in reference grant service (`--side grant-service --impl reference`): AccessGrants processed as
// Skupper's grant controller processes them (spec §4, checkGrant), with the documented defaults where the
// docs and Skupper's code disagree (expirationWindow 15m, not 10m: the finding of docs/rules.md), and
// redeemed at this project's HTTPS grant service (registry.ts: Skupper's check order and answers).
import type { GrantServiceImplementation, IssuingSite } from '../../adapters/contract.ts';
import { setStatusCondition } from '../../model/conditions.ts';
import { DurationError, parseGoDuration } from '../../model/duration.ts';
import { suiteVersion } from '../../model/package.ts';
import type { AccessGrant, AccessGrantStatus, Condition } from '../../model/resources.ts';
import { rfc3339Seconds } from '../../model/text.ts';
import { getRunPki, runHosts } from '../pki.ts';
import { DEFAULT_EXPIRATION_WINDOW_MS, randomCode, type Grant } from './registry.ts';
import { GrantService } from './service.ts';

export const REFERENCE_GRANT_FEATURES = ['status', 'delete'];

interface Issued {
  resource: AccessGrant;
  /** The registry's grant behind it: what redemptions are checked against and counted in. */
  record: Grant;
}

/**
 * Skupper's grant conditions (types.go): Processed carries the processing errors, Resolved says whether
 * url and ca are known, Ready sums them up; status.status/message mirror Ready.
 */
export function setGrantConditions(status: AccessGrantStatus, error: string | undefined, generation: number | undefined, now: Date): void {
  const conditions = (status.conditions ??= []);
  const at = generation ? { observedGeneration: generation } : {};
  const processed: Omit<Condition, 'lastTransitionTime'> = error
    ? { type: 'Processed', status: 'False', reason: 'Error', message: error, ...at }
    : { type: 'Processed', status: 'True', reason: 'Ready', message: 'OK', ...at };
  const resolved: Omit<Condition, 'lastTransitionTime'> =
    status.url && status.ca
      ? { type: 'Resolved', status: 'True', reason: 'Ready', message: 'OK', ...at }
      : { type: 'Resolved', status: 'False', reason: 'Pending', message: 'Pending', ...at };
  const firstFalse = [processed, resolved].find((c) => c.status === 'False');
  const ready: Omit<Condition, 'lastTransitionTime'> = firstFalse
    ? { type: 'Ready', status: 'False', reason: firstFalse.reason, message: firstFalse.message, ...at }
    : { type: 'Ready', status: 'True', reason: 'Ready', message: 'OK', ...at };
  // Skupper's order after first processing: Processed, Ready, Resolved
  for (const c of [processed, ready, resolved]) setStatusCondition(conditions, c, now);
  status.status = ready.reason;
  status.message = ready.message;
}

export class ReferenceGrantService implements GrantServiceImplementation {
  readonly name = 'reference';
  readonly version = suiteVersion();
  readonly features = [...REFERENCE_GRANT_FEATURES];
  private readonly issued = new Map<string, Issued>();

  constructor(readonly service: GrantService, private readonly now: () => Date = () => new Date()) {}

  static async start(options: { grantHost?: string; listenHost?: string } = {}): Promise<ReferenceGrantService> {
    const hosts = runHosts(options.grantHost);
    const service = await GrantService.start({ pki: await getRunPki(hosts), urlHost: hosts[0], listenHost: options.listenHost });
    return new ReferenceGrantService(service);
  }

  async applyGrant(grant: AccessGrant, site: IssuingSite): Promise<void> {
    const key = `${site.namespace}/${grant.metadata.name}`;
    const existing = this.issued.get(key);
    const resource: AccessGrant = structuredClone(grant);
    resource.metadata.namespace = site.namespace;
    // redemptionsAllowed 0 (absent) becomes 1, written back to the spec as Skupper's controller does
    if (!resource.spec.redemptionsAllowed) resource.spec.redemptionsAllowed = 1;
    const generation = (existing?.resource.metadata.generation ?? 0) + 1;
    resource.metadata.generation = generation;
    // code and expiration are fixed at first processing; a later apply changes neither
    const status: AccessGrantStatus = existing ? structuredClone(existing.resource.status ?? {}) : {};
    let error: string | undefined;
    if (!status.code) status.code = resource.spec.code || randomCode();
    if (!status.expirationTime) {
      const window = resource.spec.expirationWindow;
      try {
        const ms = window ? parseGoDuration(window) : DEFAULT_EXPIRATION_WINDOW_MS;
        status.expirationTime = rfc3339Seconds(new Date(this.now().getTime() + ms));
      } catch (e) {
        if (!(e instanceof DurationError)) throw e;
        error = `Invalid duration ${JSON.stringify(window)}: ${e.message}`;
      }
    }
    const record =
      existing?.record ??
      this.service.registry.create({ name: resource.metadata.name, namespace: site.namespace, code: status.code, endpoints: site.endpoints });
    record.code = status.code;
    record.redemptionsAllowed = resource.spec.redemptionsAllowed;
    // no expiration time: every redemption is a corrupted claim (500), as in Skupper
    record.expirationTime = status.expirationTime ?? '';
    record.endpoints = site.endpoints;
    resource.metadata.uid = record.uid;
    status.url = `${this.service.url}/${record.uid}`;
    status.ca = this.service.pki.ca.certPem;
    status.redemptions = record.redemptions;
    setGrantConditions(status, error, generation, this.now());
    resource.status = status;
    this.issued.set(key, { resource, record });
  }

  async observe(site: IssuingSite): Promise<{ accessGrants: AccessGrant[] }> {
    const accessGrants: AccessGrant[] = [];
    for (const { resource, record } of this.issued.values()) {
      if (resource.metadata.namespace !== site.namespace) continue;
      const copy = structuredClone(resource);
      copy.status = { ...copy.status, redemptions: record.redemptions };
      accessGrants.push(copy);
    }
    return { accessGrants };
  }

  async deleteGrant(name: string, site: IssuingSite): Promise<void> {
    const key = `${site.namespace}/${name}`;
    const issued = this.issued.get(key);
    if (!issued) return;
    this.service.registry.delete(issued.record);
    this.issued.delete(key);
  }

  async close(): Promise<void> {
    await this.service.stop();
  }
}

export default async function create(options: Record<string, string> = {}): Promise<GrantServiceImplementation> {
  return ReferenceGrantService.start({ grantHost: options.grantHost, listenHost: options.listenHost });
}
