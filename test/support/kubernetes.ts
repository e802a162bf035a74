// Helpers shared by the tests against a real API server (not a test file itself).
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, coordinates, ensureCrdsInstalled, installCrds, type KubeClients } from '../../adapters/kubernetes/client.ts';

export { coordinates };
import { SKUPPER_API_VERSION, type AccessToken, type SiteResource } from '../../model/resources.ts';
import { kubeApiServer, KUBE_SKIP_MESSAGE, type TestApiServer } from '../../harness/kube-apiserver.ts';

export { KUBE_SKIP_MESSAGE };

/** The API server of this test file, or undefined (the file's tests then skip with KUBE_SKIP_MESSAGE). */
export const server: TestApiServer | undefined = await kubeApiServer();

export const skip: string | false = server ? false : KUBE_SKIP_MESSAGE;

export function clients(): KubeClients {
  return connect({ kubeconfig: server!.kubeconfig });
}

/**
 * The local API server (Debian's Kubernetes 1.20 built with newer json-iterator/reflect2, see the tool)
 * reads an empty string in a schema-typed field of a custom resource as null and refuses it, e.g.
 * `spec.ca: Invalid value: "null": spec.ca in body must be of type string: "null"`. Real clusters keep "".
 */
export const EMPTY_STRING_REFUSED = /Invalid value: "null": .* must be of type string/;

/** Installs the project's CRDs unless the cluster already serves AccessTokens, Links and Sites. */
export async function ensureCrds(c: KubeClients): Promise<void> {
  try {
    await ensureCrdsInstalled(c);
  } catch {
    await installCrds(c);
  }
}

/** A fresh namespace name: actest-<random>. */
export function uniqueName(prefix = 'actest'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createNamespace(c: KubeClients, name = uniqueName()): Promise<string> {
  await c.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function createSite(c: KubeClients, namespace: string, name = 'redeeming-site'): Promise<SiteResource> {
  const body: SiteResource = { apiVersion: SKUPPER_API_VERSION, kind: 'Site', metadata: { name, namespace }, spec: {} };
  return (await c.custom.createNamespacedCustomObject({ ...coordinates('Site', namespace), body })) as SiteResource;
}

export async function createToken(c: KubeClients, namespace: string, name: string, spec: AccessToken['spec']): Promise<AccessToken> {
  const body: AccessToken = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: { name, namespace }, spec };
  return (await c.custom.createNamespacedCustomObject({ ...coordinates('AccessToken', namespace), body })) as AccessToken;
}

export async function getToken(c: KubeClients, namespace: string, name: string): Promise<AccessToken> {
  return (await c.custom.getNamespacedCustomObject({ ...coordinates('AccessToken', namespace), name })) as AccessToken;
}

/**
 * Reads until `check` returns a value (not undefined) or the time is up. For tests that watch
 * another process's reconciliation from outside; the adapter itself waits on watch events.
 */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) return value;
    await delay(50);
  }
}
