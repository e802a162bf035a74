// The options of `--side grant-service --impl kubernetes` (--impl-option key=value, or the implementation's
// options in the configuration file), checked in create() before the cluster is reached, as the redeemer
// side's options are (options.ts): an unknown key or a bad value is an Error naming the option.
//
//   kubeconfig       kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)
//   context          kubeconfig context (default: the current one)
//   namespace        prefix of the namespaces made for issuing sites: <namespace>-<site namespace>
//                    (default: none, the site's namespace is used as it is, made a DNS label if need be)
//   installCrds      true: install manifests/crds when the cluster lacks them (default: fail, saying how)
//   siteEndpoints    status (default): write the scenario's endpoints into the Site's status (the
//                    grant service reads them from there, as Skupper's reads its own site's);
//                    cluster: leave the Site's status to the cluster's controller and judge by the
//                    endpoints it shows (waiting up to siteTimeoutMs for some)
//   siteTimeoutMs    how long prepareSite waits for the cluster's endpoints (default 180000)
//   deleteTimeoutMs  how long deleteGrant waits for the AccessGrant to be gone (default 30000)
//   deleteNamespaces true: close() also deletes the namespaces the adapter created (default: only
//                    what it made in them, as a bare API server never finishes deleting namespaces)
//   features         comma-separated features claimed (default: all of them)
//   version          the version reported for the grant service under test
//   grantHost        set by the suite (`--grant-host`): the host status.url is rewritten to, for a grant
//                    service whose URL is not reachable from the suite as it is (its port is kept)
import { KNOWN_GRANT_FEATURES } from '../contract.ts';
import { choice, flag, given, milliseconds, namespacePrefix } from './options.ts';

export interface GrantServiceOptions {
  kubeconfig?: string;
  context?: string;
  prefix?: string;
  installCrds: boolean;
  siteEndpoints: 'status' | 'cluster';
  siteTimeoutMs: number;
  deleteTimeoutMs: number;
  deleteNamespaces: boolean;
  features: string[];
  version?: string;
  grantHost?: string;
}

const KEYS = [
  'kubeconfig',
  'context',
  'namespace',
  'installCrds',
  'siteEndpoints',
  'siteTimeoutMs',
  'deleteTimeoutMs',
  'deleteNamespaces',
  'features',
  'version',
  'grantHost',
];

export function parseGrantServiceOptions(options: Record<string, string>): GrantServiceOptions {
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new Error(`unknown option "${key}" for the kubernetes grant service adapter (known: ${KEYS.join(', ')})`);
  }
  const prefix = namespacePrefix(options);
  const features = given(options, 'features')?.split(',').map((f) => f.trim()).filter(Boolean) ?? Object.keys(KNOWN_GRANT_FEATURES);
  for (const f of features) {
    if (!Object.hasOwn(KNOWN_GRANT_FEATURES, f)) {
      throw new Error(`options.features: "${f}" is not a known grant service feature (${Object.keys(KNOWN_GRANT_FEATURES).join(', ')})`);
    }
  }
  const grantHost = given(options, 'grantHost');
  if (grantHost !== undefined && !/^[A-Za-z0-9.:[\]-]+$/.test(grantHost)) throw new Error(`options.grantHost: "${grantHost}" is not a host name or address`);
  return {
    kubeconfig: given(options, 'kubeconfig'),
    context: given(options, 'context'),
    prefix,
    installCrds: flag(options, 'installCrds', false),
    siteEndpoints: choice(options, 'siteEndpoints', ['status', 'cluster'] as const, 'status'),
    siteTimeoutMs: milliseconds(options, 'siteTimeoutMs', 180_000),
    deleteTimeoutMs: milliseconds(options, 'deleteTimeoutMs', 30_000),
    deleteNamespaces: flag(options, 'deleteNamespaces', false),
    features,
    version: given(options, 'version'),
    grantHost,
  };
}
