// A thin layer over @kubernetes/client-node 1.4.0: loading a kubeconfig, the API clients this project
// uses, the Skupper resource coordinates, API error helpers, and the CRD checks/installation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadAllYaml,
  type RequestContext,
  type V1CustomResourceDefinition,
} from './client-node.ts';

import { SKUPPER_GROUP, SKUPPER_VERSION } from '../../model/resources.ts';

export { SKUPPER_GROUP, SKUPPER_VERSION };

/** Plural resource names of the Skupper kinds this project touches. */
export const PLURAL = {
  AccessToken: 'accesstokens',
  Link: 'links',
  Site: 'sites',
  AccessGrant: 'accessgrants',
} as const;

export type SkupperKind = keyof typeof PLURAL;

/** What a redeemer touches (the redeemer side's adapter checks only these). */
export const REDEEMER_KINDS: SkupperKind[] = ['AccessToken', 'Link', 'Site'];
/** What a grant service touches (the grant side's adapter checks only these). */
export const GRANT_SERVICE_KINDS: SkupperKind[] = ['AccessGrant', 'Site'];

/** CRD names, in the order they are checked. */
export const CRD_NAMES: Record<SkupperKind, string> = {
  AccessToken: 'accesstokens.skupper.io',
  Link: 'links.skupper.io',
  Site: 'sites.skupper.io',
  AccessGrant: 'accessgrants.skupper.io',
};

/** The custom-objects API parameters of a Skupper kind: group, version, plural (and the namespace). */
export function coordinates(kind: SkupperKind): { group: string; version: string; plural: string };
export function coordinates(kind: SkupperKind, namespace: string): { group: string; version: string; plural: string; namespace: string };
export function coordinates(kind: SkupperKind, namespace?: string): { group: string; version: string; plural: string; namespace?: string } {
  const base = { group: SKUPPER_GROUP, version: SKUPPER_VERSION, plural: PLURAL[kind] };
  return namespace === undefined ? base : { ...base, namespace };
}

/** The API path of a Skupper kind's collection, in one namespace or in all: what a watch follows. */
export function collectionPath(kind: SkupperKind, namespace?: string): string {
  const base = `/apis/${SKUPPER_GROUP}/${SKUPPER_VERSION}`;
  return namespace ? `${base}/namespaces/${namespace}/${PLURAL[kind]}` : `${base}/${PLURAL[kind]}`;
}

export interface KubeConnectionOptions {
  /** Path of a kubeconfig file; default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current context. */
  context?: string;
}

export interface KubeClients {
  kubeConfig: KubeConfig;
  /** The API server URL of the selected context. */
  server: string;
  /** The namespace of the selected context, or `default`. */
  defaultNamespace: string;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  apiextensions: ApiextensionsV1Api;
  /** Closes the kept-alive connections of the API calls (watches close when they are stopped). */
  close(): void;
}

/**
 * client-node 1.4.0 gives every API call a new https.Agent, so every call pays a full TLS handshake
 * (about 8 ms against a local API server, 1.6 ms over a kept-alive connection). This KubeConfig hands
 * out one keep-alive agent per distinct TLS configuration instead: same CA, client certificate and
 * verification settings as client-node computed for the call; only the connection is reused.
 * Agents of proxies (socks/http proxy agents) are left as they are.
 */
export class PooledKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, https.Agent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const pooled = this.pooled(context.getAgent());
    if (pooled) context.setAgent(pooled);
  }

  /**
   * Watches (client-node's Watch) get their agent here. A watch holds its connection while it runs, but
   * with the shared agent it can take an idle kept-alive connection, or resume a TLS session, instead of
   * a full handshake (watches are opened for every scenario namespace).
   */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const pooled = this.pooled((opts as { agent?: unknown }).agent);
    if (pooled) (opts as { agent?: unknown }).agent = pooled;
  }

  /** The shared agent with the TLS settings of a fresh agent client-node made; undefined for proxy agents. */
  private pooled(fresh: unknown): https.Agent | undefined {
    if (!fresh || (fresh as object).constructor !== https.Agent) return undefined;
    const options = (fresh as https.Agent).options;
    const key = JSON.stringify(
      ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'].map((k) => {
        const v = (options as Record<string, unknown>)[k];
        return Buffer.isBuffer(v) ? v.toString('base64') : v;
      }),
    );
    let agent = this.agents.get(key);
    if (!agent) {
      // one TLS context for every connection: without it each one parses the CA and keys again (watches
      // open connections of their own, four for every scenario namespace)
      const { ca, cert, key: privateKey, pfx, passphrase } = options as tls.SecureContextOptions;
      const secureContext = tls.createSecureContext({ ca, cert, key: privateKey, pfx, passphrase });
      agent = new https.Agent({ ...options, keepAlive: true, secureContext } as https.AgentOptions);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes the kept-alive connections. */
  closeConnections(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

export function loadKubeConfig(options: KubeConnectionOptions = {}): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new Error(`kubeconfig file ${options.kubeconfig} does not exist`);
    kc.loadFromFile(options.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`kubeconfig has no context named "${options.context}" (contexts: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster; pass --kubeconfig and --context');
  inlineCertificateFiles(kc);
  return kc;
}

/**
 * Reads the certificate and key files the kubeconfig names once, now, instead of at every API call
 * (client-node reads them for each). Credentials that change (exec plugins, auth providers) are left alone.
 */
function inlineCertificateFiles(kc: KubeConfig): void {
  const base64 = (file: string) => {
    try {
      return readFileSync(file).toString('base64');
    } catch (err) {
      throw new Error(`kubeconfig names ${file}, which cannot be read: ${(err as Error).message}`);
    }
  };
  kc.clusters = kc.clusters.map((c) => (c.caFile && !c.caData ? { ...c, caData: base64(c.caFile), caFile: undefined } : c));
  kc.users = kc.users.map((u) => ({
    ...u,
    ...(u.certFile && !u.certData ? { certData: base64(u.certFile), certFile: undefined } : {}),
    ...(u.keyFile && !u.keyData ? { keyData: base64(u.keyFile), keyFile: undefined } : {}),
  }));
}

export function connect(options: KubeConnectionOptions = {}): KubeClients {
  const kubeConfig = loadKubeConfig(options);
  return {
    kubeConfig,
    server: kubeConfig.getCurrentCluster()!.server,
    defaultNamespace: kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default',
    core: kubeConfig.makeApiClient(CoreV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    apiextensions: kubeConfig.makeApiClient(ApiextensionsV1Api),
    close: () => kubeConfig.closeConnections(),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The HTTP status of a failed API call, or undefined for other errors. */
export function apiStatusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The `Status` object the API server sent with an error, when it sent one. */
function apiStatus(err: unknown): { message?: string; reason?: string } | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body: unknown = err.body;
  if (typeof body === 'object' && body !== null) return body as { message?: string };
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string };
    } catch {
      return { message: body };
    }
  }
  return undefined;
}

/** The API server's message (`secrets "x" already exists`), falling back to the error's text. */
export function apiMessage(err: unknown): string {
  const status = apiStatus(err);
  if (status?.message) return status.message;
  if (err instanceof ApiException) return `HTTP ${err.code}`;
  return err instanceof Error ? err.message : String(err);
}

/** The `reason` of the API server's Status (`AlreadyExists`, `Conflict`, `NotFound`, ...). */
export function apiReason(err: unknown): string | undefined {
  return apiStatus(err)?.reason;
}

export function isNotFound(err: unknown): boolean {
  return apiStatusCode(err) === 404;
}

/** An Error whose message is the API server's, for errors that leave this module. */
export function toError(err: unknown, what: string): Error {
  if (err instanceof ApiException) return new Error(`${what}: ${apiMessage(err)}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

// ---------------------------------------------------------------------------------------------
// CRDs

/**
 * The project's manifests/crds directory. Found by walking up from this module, so it works from the
 * sources (adapters/kubernetes/) and from the build (dist/adapters/kubernetes/) alike.
 */
export function crdManifestDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'manifests', 'crds');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('manifests/crds not found above ' + dirname(fileURLToPath(import.meta.url)));
    dir = parent;
  }
}

function missingCrdError(kind: SkupperKind, server: string): Error {
  return new Error(
    `the ${kind} CRD (${CRD_NAMES[kind]}) is not installed in the cluster at ${server}; ` +
      'install it with: kubectl apply -f manifests/crds/',
  );
}

/**
 * Checks that the Skupper CRDs this project uses are served (AccessToken first, then Link, Site and AccessGrant).
 * Listing one object of each kind needs only the permissions the controller has anyway (no read
 * access to CustomResourceDefinitions); a 404 means the resource type is unknown to the API server.
 */
export async function ensureCrdsInstalled(
  clients: KubeClients,
  options: { namespace?: string; kinds?: SkupperKind[] } = {},
): Promise<void> {
  for (const kind of options.kinds ?? (Object.keys(PLURAL) as SkupperKind[])) {
    try {
      if (options.namespace) await clients.custom.listNamespacedCustomObject({ ...coordinates(kind, options.namespace), limit: 1 });
      else await clients.custom.listClusterCustomObject({ ...coordinates(kind), limit: 1 });
    } catch (err) {
      if (isNotFound(err)) throw missingCrdError(kind, clients.server);
      throw toError(err, `could not list ${PLURAL[kind]}.${SKUPPER_GROUP} at ${clients.server}`);
    }
  }
}

/**
 * Connects and checks that the cluster serves the given kinds; with `installCrds`, installs manifests/crds
 * where one is missing. The connection is closed again when anything fails.
 */
export async function connectWithCrds(
  options: KubeConnectionOptions & { installCrds?: boolean },
  kinds: SkupperKind[],
): Promise<KubeClients> {
  const clients = connect({ kubeconfig: options.kubeconfig, context: options.context });
  try {
    try {
      await ensureCrdsInstalled(clients, { kinds });
    } catch (err) {
      if (!options.installCrds || !/is not installed/.test((err as Error).message)) throw err;
      await installCrds(clients);
    }
    return clients;
  } catch (err) {
    clients.close();
    throw err;
  }
}

/**
 * The CRDs in manifests/crds (or another directory), as client-node models. They must be models, not
 * plain YAML objects: the typed API calls serialize models by their property names, and a plain object's
 * `x-kubernetes-preserve-unknown-fields` (the model's x_kubernetes_preserve_unknown_fields) would be
 * silently dropped.
 */
export function readCrdManifests(dir = crdManifestDir()): V1CustomResourceDefinition[] {
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of loadAllYaml(readFileSync(resolve(dir, file), 'utf8')) as V1CustomResourceDefinition[]) {
      if (!doc) continue;
      if (doc.kind !== 'CustomResourceDefinition') throw new Error(`${file}: not a CustomResourceDefinition`);
      crds.push(doc);
    }
  }
  return crds;
}

/**
 * Creates (or replaces) the CRDs of manifests/crds and waits until each is Established.
 * Returns the names installed.
 */
export async function installCrds(
  clients: KubeClients,
  options: { dir?: string; timeoutMs?: number } = {},
): Promise<string[]> {
  const crds = readCrdManifests(options.dir);
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    try {
      await clients.apiextensions.createCustomResourceDefinition({ body: crd });
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw toError(err, `could not create CRD ${name}`);
      const existing = await clients.apiextensions.readCustomResourceDefinition({ name });
      const body = { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata?.resourceVersion } };
      try {
        await clients.apiextensions.replaceCustomResourceDefinition({ name, body });
      } catch (replaceErr) {
        throw toError(replaceErr, `could not replace CRD ${name}`);
      }
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const names = crds.map((c) => c.metadata!.name!);
  for (const name of names) await waitForCrdEstablished(clients, name, deadline);
  return names;
}

async function waitForCrdEstablished(clients: KubeClients, name: string, deadline: number): Promise<void> {
  // Establishing takes a few milliseconds to a second; a short, growing poll interval is enough for a
  // one-off installation step.
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const crd = await clients.apiextensions.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} did not become Established`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Deletes the CRDs named in manifests/crds (and with them every object of those kinds), and waits until
 * they are gone. For private test clusters: never run it against a cluster whose Skupper uses them.
 */
export async function uninstallCrds(clients: KubeClients, options: { dir?: string; timeoutMs?: number } = {}): Promise<void> {
  const names = readCrdManifests(options.dir).map((crd) => crd.metadata!.name!);
  for (const name of names) {
    try {
      await clients.apiextensions.deleteCustomResourceDefinition({ name });
    } catch (err) {
      if (!isNotFound(err)) throw toError(err, `could not delete CRD ${name}`);
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const name of names) {
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      try {
        await clients.apiextensions.readCustomResourceDefinition({ name });
      } catch (err) {
        if (isNotFound(err)) break;
        throw toError(err, `could not read CRD ${name}`);
      }
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not deleted in time`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
