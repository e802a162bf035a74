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
import { getRunPki, runHosts, type Pki } from '../pki.ts';
import { DEFAULT_EXPIRATION_WINDOW_MS, randomCode, type Grant, type GrantRegistry } from './registry.ts';
import type { PrimaryEndpointOptions } from './endpoints.ts';
import { GrantService } from './service.ts';

export const REFERENCE_GRANT_FEATURES = ['status', 'delete', 'grant-resource', 'short-windows'];

export interface Issued {
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

/** What an AccessGrant that leaves them out gets. */
export interface GrantDefaults {
  redemptionsAllowed: number;
  expirationWindowMs: number;
}

/** As documented (docs/resources-access-grant.md): one redemption, 15 minutes (Skupper's code: 10 minutes). */
export const DOCUMENTED_DEFAULTS: Readonly<GrantDefaults> = { redemptionsAllowed: 1, expirationWindowMs: DEFAULT_EXPIRATION_WINDOW_MS };

export interface ReferenceGrantServiceOptions {
  /** The host put in grant URLs (and named by the server certificate). */
  grantHost?: string;
  listenHost?: string;
  /** The name it reports (a broken grant service reports its own). */
  name?: string;
  /** The registry that decides redemptions (a subclass of GrantRegistry changes one decision). */
  registry?: (pki: Pki) => GrantRegistry;
  /** How the HTTPS endpoint serves: its TLS minimum version, its certificate, plain HTTP beside it. */
  endpoint?: PrimaryEndpointOptions;
  /** What a grant that leaves them out gets; default DOCUMENTED_DEFAULTS. */
  defaults?: Partial<GrantDefaults>;
  now?: () => Date;
}

/**
 * The reference grant service. Each step of processing is a protected method, so a deliberately broken
 * grant service (fixtures/broken-grant-services/, test/fixtures/broken-grant-services/) changes exactly one: the defaults, the code, the
 * expiration time, the status it writes, what a deletion does; how requests are decided and answered is
 * the registry's (ReferenceGrantServiceOptions.registry) and the endpoint's (.endpoint).
 */
export class ReferenceGrantService implements GrantServiceImplementation {
  readonly name: string;
  readonly version = suiteVersion();
  readonly features = [...REFERENCE_GRANT_FEATURES];
  protected readonly issued = new Map<string, Issued>();
  protected readonly defaults: GrantDefaults;
  protected readonly now: () => Date;

  constructor(readonly service: GrantService, options: ReferenceGrantServiceOptions = {}) {
    this.name = options.name ?? 'reference';
    this.defaults = { ...DOCUMENTED_DEFAULTS, ...options.defaults };
    this.now = options.now ?? (() => new Date());
  }

  /** Starts the HTTPS grant service and the grant service around it (a subclass starts itself). */
  static async start<T extends ReferenceGrantService>(
    this: new (service: GrantService, options?: ReferenceGrantServiceOptions) => T,
    options: ReferenceGrantServiceOptions = {},
  ): Promise<T> {
    const hosts = runHosts(options.grantHost);
    const service = await GrantService.start({
      pki: await getRunPki(hosts),
      urlHost: hosts[0],
      listenHost: options.listenHost,
      registry: options.registry,
      primary: options.endpoint,
    });
    return new this(service, options);
  }

  async applyGrant(grant: AccessGrant, site: IssuingSite): Promise<void> {
    const key = `${site.namespace}/${grant.metadata.name}`;
    const existing = this.issued.get(key);
    const resource: AccessGrant = structuredClone(grant);
    resource.metadata.namespace = site.namespace;
    // redemptionsAllowed 0 (absent) becomes the default, written back to the spec as Skupper's controller does
    resource.spec.redemptionsAllowed = this.redemptionsAllowed(resource);
    const generation = (existing?.resource.metadata.generation ?? 0) + 1;
    resource.metadata.generation = generation;
    // code and expiration are fixed at first processing; a later apply changes neither
    const status: AccessGrantStatus = existing ? structuredClone(existing.resource.status ?? {}) : {};
    let error: string | undefined;
    if (!status.code) status.code = this.code(resource);
    if (!status.expirationTime) {
      try {
        status.expirationTime = this.expirationTime(resource);
      } catch (e) {
        if (!(e instanceof DurationError)) throw e;
        error = `Invalid duration ${JSON.stringify(resource.spec.expirationWindow)}: ${e.message}`;
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
    status.url = this.statusUrl(record);
    status.ca = this.statusCa();
    status.redemptions = record.redemptions;
    this.setConditions(status, error, generation);
    resource.status = status;
    this.issued.set(key, { resource, record });
  }

  async observe(site: IssuingSite): Promise<{ accessGrants: AccessGrant[] }> {
    const accessGrants: AccessGrant[] = [];
    for (const issued of this.issued.values()) {
      if (issued.resource.metadata.namespace !== site.namespace) continue;
      const copy = structuredClone(issued.resource);
      copy.status = { ...copy.status, redemptions: this.redemptionsShown(issued) };
      accessGrants.push(copy);
    }
    return { accessGrants };
  }

  async deleteGrant(name: string, site: IssuingSite): Promise<void> {
    const key = `${site.namespace}/${name}`;
    const issued = this.issued.get(key);
    if (!issued) return;
    this.forget(issued);
    this.issued.delete(key);
  }

  async close(): Promise<void> {
    await this.service.stop();
  }

  // ------------------------------------------------------------------------------------------------
  // the steps of processing, one behaviour each

  /** spec.redemptionsAllowed, or the default when it is absent or 0. */
  protected redemptionsAllowed(grant: AccessGrant): number {
    return grant.spec.redemptionsAllowed || this.defaults.redemptionsAllowed;
  }

  /** spec.code when set; otherwise a fresh one (Skupper's RandomId(24)). */
  protected code(grant: AccessGrant): string {
    return grant.spec.code || randomCode();
  }

  /** First processing + spec.expirationWindow (or the default), in whole seconds; DurationError for a window that does not parse. */
  protected expirationTime(grant: AccessGrant): string {
    const window = grant.spec.expirationWindow;
    const ms = window ? parseGoDuration(window) : this.defaults.expirationWindowMs;
    return rfc3339Seconds(new Date(this.now().getTime() + ms));
  }

  /** Where the grant is redeemed: the service's URL and the grant's uid. */
  protected statusUrl(record: Grant): string {
    return `${this.service.url}/${record.uid}`;
  }

  /** The CA a redeemer must trust: the one that signs the service's certificate. */
  protected statusCa(): string {
    return this.service.pki.ca.certPem;
  }

  /** The Processed, Resolved and Ready conditions and status.status/message. */
  protected setConditions(status: AccessGrantStatus, error: string | undefined, generation: number): void {
    setGrantConditions(status, error, generation, this.now());
  }

  /** status.redemptions as observe() shows it: the registry's count of redemptions. */
  protected redemptionsShown(issued: Issued): number {
    return issued.record.redemptions;
  }

  /** What a deletion does to the grant being served: it is gone from the registry. */
  protected forget(issued: Issued): void {
    this.service.registry.delete(issued.record);
  }
}

export default async function create(options: Record<string, string> = {}): Promise<GrantServiceImplementation> {
  return ReferenceGrantService.start({ grantHost: options.grantHost, listenHost: options.listenHost });
}
