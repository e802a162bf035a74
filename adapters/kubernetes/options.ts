// The kubernetes adapter's options (--impl-option key=value, or the implementation's options in the
// configuration file), checked in create() before the cluster is reached: an unknown key or a bad value is
// an Error naming the option, which the loader turns into a one-line configuration error (exit 2), as the
// command adapter's options do.
//
//   kubeconfig       kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)
//   context          kubeconfig context (default: the current one)
//   namespace        prefix of the namespaces made for scenario sites: <namespace>-<site namespace>
//                    (default: none, the site's namespace is used as it is, made a DNS label if need be)
//   controller       external (default): a controller already runs in the cluster;
//                    in-process: run the reference controller inside this process
//   installCrds      true: install manifests/crds when the cluster lacks them (default: fail, saying how)
//   secrets          tls (default): observe Secrets of type kubernetes.io/tls; all: every Secret
//   excludeSecrets   regular expression of Secret names left out of observations (default ^skupper-,
//                    the credentials Skupper's own site makes); empty: leave none out
//   siteReady        none (default): a scenario site is usable once its Site resource exists;
//                    status: wait until a controller has written the Site's status (it knows the Site);
//                    ready: wait until the Site's status.status is Ready (Skupper's CLI demands this)
//   siteTimeoutMs    how long prepareSite waits for siteReady (default 180000)
//   settleMs         after resync(), return once the namespace has been quiet this long (default 300)
//   retireSites      true (default): preparing a new site first removes what the scenarios of the sites
//                    prepared before it made (tokens first), as the suite runs one scenario at a time
//                    per worker; false: keep everything until close()
//   deleteNamespaces true: close() also deletes the namespaces the adapter created (default: only
//                    their contents, as a bare API server never finishes deleting namespaces)
//   features         comma-separated features claimed (default: all known features)
//   version          the version reported for the implementation under test
// An option given empty (`key=`) takes its default, except excludeSecrets, where empty leaves none out.
import { KNOWN_FEATURES } from '../contract.ts';

export type SiteReadiness = 'none' | 'status' | 'ready';

export interface KubernetesOptions {
  /** Undefined: $KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  /** Undefined: the kubeconfig's current context. */
  context?: string;
  /** The namespace prefix, made a DNS label; undefined: none. */
  prefix?: string;
  controller: 'external' | 'in-process';
  installCrds: boolean;
  /** true: observe every Secret; false: only those of type kubernetes.io/tls. */
  allSecrets: boolean;
  /** Names of Secrets left out of observations. */
  excludeSecrets?: RegExp;
  siteReady: SiteReadiness;
  siteTimeoutMs: number;
  settleMs: number;
  retireSites: boolean;
  deleteNamespaces: boolean;
  features: string[];
  version?: string;
}

export const DEFAULT_EXCLUDE_SECRETS = '^skupper-';
export const DEFAULT_SITE_TIMEOUT_MS = 180_000;
export const DEFAULT_SETTLE_MS = 300;

const KEYS = [
  'kubeconfig',
  'context',
  'namespace',
  'controller',
  'installCrds',
  'secrets',
  'excludeSecrets',
  'siteReady',
  'siteTimeoutMs',
  'settleMs',
  'retireSites',
  'deleteNamespaces',
  'features',
  'version',
];
/** Set by the suite itself (`--grant-host`) for every implementation; this adapter has no use for it. */
const PASSED_THROUGH = ['grantHost'];

/** A DNS-1123 label: lower case alphanumerics and '-', at most 63 characters. */
export function dnsLabel(value: string): string {
  const label = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (!label) throw new Error(`cannot make a namespace name of ${JSON.stringify(value)}`);
  return label;
}

/** An option's value; one given empty reads as not given (its default applies). */
export function given(options: Record<string, string>, key: string): string | undefined {
  return options[key] === '' ? undefined : options[key];
}

/** One of the allowed words; default `fallback`. */
export function choice<T extends string>(options: Record<string, string>, key: string, allowed: readonly T[], fallback: T): T {
  const value = given(options, key) ?? fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`options.${key} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, not "${value}"`);
}

export function flag(options: Record<string, string>, key: string, fallback: boolean): boolean {
  return choice(options, key, ['true', 'false'], fallback ? 'true' : 'false') === 'true';
}

export function milliseconds(options: Record<string, string>, key: string, fallback: number): number {
  const value = given(options, key);
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (value.trim() === '' || !Number.isFinite(ms) || ms < 0) throw new Error(`options.${key} must be a number of milliseconds, 0 or more, not "${value}"`);
  return ms;
}

/** `namespace`: the prefix of the namespaces made for scenario sites, as a DNS label; undefined when not given. */
export function namespacePrefix(options: Record<string, string>): string | undefined {
  const namespace = given(options, 'namespace');
  if (namespace === undefined) return undefined;
  try {
    return dnsLabel(namespace);
  } catch (e) {
    throw new Error(`options.namespace: ${(e as Error).message}`);
  }
}

export function parseOptions(options: Record<string, string>): KubernetesOptions {
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key) && !PASSED_THROUGH.includes(key)) {
      throw new Error(`unknown option "${key}" for the kubernetes adapter (known: ${KEYS.join(', ')})`);
    }
  }
  const prefix = namespacePrefix(options);

  let excludeSecrets: RegExp | undefined;
  const exclude = options.excludeSecrets ?? DEFAULT_EXCLUDE_SECRETS;
  try {
    excludeSecrets = exclude ? new RegExp(exclude) : undefined;
  } catch (e) {
    throw new Error(`options.excludeSecrets: ${(e as Error).message}`);
  }

  const features = given(options, 'features')?.split(',').map((f) => f.trim()).filter(Boolean) ?? Object.keys(KNOWN_FEATURES);
  for (const f of features) {
    if (!Object.hasOwn(KNOWN_FEATURES, f)) throw new Error(`options.features: "${f}" is not a known feature (${Object.keys(KNOWN_FEATURES).join(', ')})`);
  }

  return {
    kubeconfig: given(options, 'kubeconfig'),
    context: given(options, 'context'),
    prefix,
    controller: choice(options, 'controller', ['external', 'in-process'], 'external'),
    installCrds: flag(options, 'installCrds', false),
    allSecrets: choice(options, 'secrets', ['tls', 'all'], 'tls') === 'all',
    excludeSecrets,
    siteReady: choice(options, 'siteReady', ['none', 'status', 'ready'] as const, 'none'),
    siteTimeoutMs: milliseconds(options, 'siteTimeoutMs', DEFAULT_SITE_TIMEOUT_MS),
    settleMs: milliseconds(options, 'settleMs', DEFAULT_SETTLE_MS),
    retireSites: flag(options, 'retireSites', true),
    deleteNamespaces: flag(options, 'deleteNamespaces', false),
    features,
    version: given(options, 'version'),
  };
}
