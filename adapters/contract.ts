// The implementation contract (docs/adapters.md). Kept stable: implementations written against the
// documentation import nothing from this project, so these shapes are the only agreement there is.
import type { AccessGrant, AccessToken, Endpoint, Link, Secret } from '../model/resources.ts';

/** The redeeming site a scenario runs in. Each scenario gets a fresh one. */
export interface Site {
  name: string;
  namespace: string;
  uid: string;
}

export interface Observation {
  accessTokens: AccessToken[];
  secrets: Secret[];
  links: Link[];
  /**
   * Optional: every resource of another kind the implementation created for the site (a ConfigMap, a
   * Role, a ClusterRoleBinding…), in whatever namespace. The hostile-answer rules look here for a document
   * of another kind that became a resource; an implementation that leaves it out has those scenarios
   * reported unsupported, not passed.
   */
  others?: OtherResource[];
}

/** A resource of any kind, as observe() reports it in `others`. */
export interface OtherResource {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Optional features an implementation may claim; scenarios tagged `@feature:<name>` need them. */
export const KNOWN_FEATURES = {
  status: 'keeps AccessToken status and the Redeemed condition',
  'link-cost': 'applies spec.linkCost to the Links it creates',
  resync: 'can be asked to reconcile again (resync)',
  'site-deletion': 'marks redeemed tokens when their site is deleted',
  'owner-references': 'sets owner references to the Site on what it creates',
  'token-deletion': 'can be asked to delete an AccessToken (deleteToken)',
} as const;

export type FeatureName = keyof typeof KNOWN_FEATURES;

export interface Implementation {
  name: string;
  version?: string;
  features?: string[];
  /** Hand an AccessToken over as a user would. */
  /**
   * Makes the scenario's site exist before anything is applied, and returns it as the implementation
   * knows it: a Kubernetes API server assigns the Site's uid, and a namespace prefix may apply.
   */
  prepareSite?(site: Site): Promise<Site>;
  apply(token: AccessToken, site: Site): Promise<void>;
  observe(site: Site): Promise<Observation>;
  /** Reconcile again now, as a periodic resync would. */
  resync?(site: Site): Promise<void>;
  deleteSite?(site: Site): Promise<void>;
  /**
   * Deletes the site's AccessToken of that name as `kubectl delete` would, and returns once observe() no
   * longer shows it. The Secret and Links a redemption made are not the token's to take with it
   * (feature `token-deletion`).
   */
  deleteToken?(name: string, site: Site): Promise<void>;
  /**
   * Resolves true at the next change to what observe(site) shows, false once timeoutMs has passed.
   * Offer it only when every change is reported (a watch does): the suite then observes at each change
   * instead of polling (docs/adapters.md, "Reporting changes").
   */
  waitForChange?(site: Site, timeoutMs: number): Promise<boolean>;
  close?(): Promise<void>;
}

export type CreateImplementation = (options: Record<string, string>) => Promise<Implementation>;

// ---------------------------------------------------------------------------------------------------
// The grant-service side (docs/adapters.md, "Grant services"): the implementation under test issues
// AccessGrants and serves their redemptions; the suite plays the redeeming site.

/** The site that owns the grants: its endpoints are what a redemption's Links and certificate name. */
export interface IssuingSite extends Site {
  endpoints: Endpoint[];
}

/** Optional features a grant service may claim; scenarios tagged `@feature:<name>` need them. */
export const KNOWN_GRANT_FEATURES = {
  status: 'keeps AccessGrant status: redemptions, expirationTime and the Processed/Resolved/Ready conditions',
  delete: 'can be asked to delete a grant (deleteGrant)',
  'grant-resource':
    "takes the suite's AccessGrant as the grant itself: its name names the answer, its uid is in status.url, its spec.code is the code",
  'short-windows': 'accepts an expirationWindow of a few seconds (the expiry rules wait one out)',
} as const;

export interface GrantServiceImplementation {
  name: string;
  version?: string;
  features?: string[];
  /** Makes the issuing site exist and returns it as the implementation knows it (uid, endpoints). */
  prepareSite?(site: IssuingSite): Promise<IssuingSite>;
  /** Hand an AccessGrant over as `kubectl apply` would (again for an update). */
  applyGrant(grant: AccessGrant, site: IssuingSite): Promise<void>;
  /** The site's AccessGrants with their status (`url`, `code`, `ca`, …). */
  observe(site: IssuingSite): Promise<{ accessGrants: AccessGrant[] }>;
  deleteGrant?(name: string, site: IssuingSite): Promise<void>;
  close?(): Promise<void>;
}

export type CreateGrantService = (options: Record<string, string>) => Promise<GrantServiceImplementation>;

/** Which half of a token's life is under test: the redeemer consumes tokens, the grant service issues them. */
export type Side = 'redeemer' | 'grant-service';
export const SIDES: readonly Side[] = ['redeemer', 'grant-service'];
