// RedeemerStore over the Kubernetes API: what the reference redeemer reads and writes when it runs as
// a controller. Secrets through CoreV1, Skupper resources as custom objects, token status through the
// status subresource.
import type { V1Secret } from '../../../adapters/kubernetes/client-node.ts';
import { alreadyExists, type RedeemerStore } from '../store.ts';
import type { Site } from '../../../adapters/contract.ts';
import type { AccessToken, Link, Secret, SiteResource } from '../../../model/resources.ts';
import {
  apiReason,
  apiStatusCode,
  coordinates,
  isNotFound,
  PLURAL,
  SKUPPER_GROUP,
  toError,
  type KubeClients,
  type SkupperKind,
} from '../../../adapters/kubernetes/client.ts';

/** Retries of a status write that met a newer version of the token (HTTP 409 Conflict). */
const STATUS_CONFLICT_RETRIES = 3;

export class KubeStore implements RedeemerStore {
  constructor(private readonly clients: KubeClients) {}

  /** The first Site of the namespace (by name) that is not being deleted. */
  async getSite(namespace: string): Promise<Site | undefined> {
    const sites = await this.list<SiteResource>('Site', namespace);
    const site = sites.find((s) => !(s.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    if (!site) return undefined;
    return { name: site.metadata.name, namespace, uid: site.metadata.uid ?? '' };
  }

  listAccessTokens(namespace: string): Promise<AccessToken[]> {
    return this.list<AccessToken>('AccessToken', namespace);
  }

  /** One AccessToken as the API server has it now, or undefined when there is none of that name. */
  async getAccessToken(namespace: string, name: string): Promise<AccessToken | undefined> {
    try {
      return (await this.clients.custom.getNamespacedCustomObject({ ...coordinates('AccessToken', namespace), name })) as AccessToken;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toError(err, `could not read accesstoken ${namespace}/${name}`);
    }
  }

  async createSecret(namespace: string, secret: Secret): Promise<void> {
    const body = { ...secret, metadata: { ...secret.metadata, namespace } } as V1Secret;
    try {
      await this.clients.core.createNamespacedSecret({ namespace, body });
    } catch (err) {
      if (isAlreadyExists(err)) throw alreadyExists('secrets', secret.metadata.name);
      throw toError(err, `could not create secret ${namespace}/${secret.metadata.name}`);
    }
  }

  async createLink(namespace: string, link: Link): Promise<void> {
    const body = { ...link, metadata: { ...link.metadata, namespace } };
    try {
      await this.clients.custom.createNamespacedCustomObject({ ...coordinates('Link', namespace), body });
    } catch (err) {
      if (isAlreadyExists(err)) throw alreadyExists('links.skupper.io', link.metadata.name);
      throw toError(err, `could not create link ${namespace}/${link.metadata.name}`);
    }
  }

  /**
   * Replaces the token's status through the status subresource. The write carries the token's
   * resourceVersion; when the token changed meanwhile (409 Conflict, e.g. an annotation was patched)
   * the status is written onto the current version instead.
   */
  async updateAccessTokenStatus(token: AccessToken): Promise<AccessToken> {
    const namespace = token.metadata.namespace ?? '';
    const name = token.metadata.name;
    let body: AccessToken = token;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.clients.custom.replaceNamespacedCustomObjectStatus({
          ...coordinates('AccessToken', namespace),
          name,
          body,
        })) as AccessToken;
      } catch (err) {
        if (apiStatusCode(err) !== 409 || attempt >= STATUS_CONFLICT_RETRIES) {
          throw toError(err, `could not update the status of accesstoken ${namespace}/${name}`);
        }
        const current = await this.getAccessToken(namespace, name);
        if (!current) throw toError(err, `could not update the status of accesstoken ${namespace}/${name}`);
        body = { ...current, status: token.status };
      }
    }
  }

  private async list<T>(kind: SkupperKind, namespace: string): Promise<T[]> {
    try {
      const list = (await this.clients.custom.listNamespacedCustomObject(coordinates(kind, namespace))) as { items?: T[] };
      return list.items ?? [];
    } catch (err) {
      throw toError(err, `could not list ${PLURAL[kind]}.${SKUPPER_GROUP} in ${namespace}`);
    }
  }
}

function isAlreadyExists(err: unknown): boolean {
  const reason = apiReason(err);
  return apiStatusCode(err) === 409 && (reason === undefined || reason === 'AlreadyExists');
}
