// The implementation contract (docs/adapters.md). Kept stable: implementations written against the
// documentation import nothing from this project, so these shapes are the only agreement there is.
import type { AccessToken, Link, Secret } from '../model/resources.ts';

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
}

/** Optional features an implementation may claim; scenarios tagged `@feature:<name>` need them. */
export const KNOWN_FEATURES = {
  status: 'keeps AccessToken status and the Redeemed condition',
  'link-cost': 'applies spec.linkCost to the Links it creates',
  resync: 'can be asked to reconcile again (resync)',
  'site-deletion': 'marks redeemed tokens when their site is deleted',
  'owner-references': 'sets owner references to the Site on what it creates',
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
   * Resolves true at the next change to what observe(site) shows, false once timeoutMs has passed.
   * Offer it only when every change is reported (a watch does): the suite then observes at each change
   * instead of polling (docs/adapters.md, "Reporting changes").
   */
  waitForChange?(site: Site, timeoutMs: number): Promise<boolean>;
  close?(): Promise<void>;
}

export type CreateImplementation = (options: Record<string, string>) => Promise<Implementation>;
