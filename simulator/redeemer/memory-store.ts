// An in-memory stand-in for one cluster's API server: per-namespace AccessTokens, Secrets, Links and the
// Site, with the API server's bookkeeping that the rules depend on (uid, generation, name collisions) and
// its limits on size (a Secret's data, any object in etcd).
import { randomUUID } from 'node:crypto';
import { alreadyExists, type RedeemerStore } from './store.ts';
import type { OtherResource, Site } from '../../adapters/contract.ts';
import type { AccessToken, Link, Secret } from '../../model/resources.ts';

/** The most a Secret's data may hold (the API server's validation). */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;
/** The most an object may take in etcd (its default --max-request-bytes, 1.5 MiB): a larger write is refused. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

interface Namespace {
  site?: Site;
  accessTokens: Map<string, AccessToken>;
  secrets: Map<string, Secret>;
  links: Map<string, Link>;
  /** Resources of any other kind, by `<kind>/<name>`: only a deliberately broken redeemer makes them. */
  others: Map<string, OtherResource>;
}

/** Refuses an object too large for etcd, as the API server passes etcd's refusal on. */
function checkSize(resource: unknown): void {
  if (Buffer.byteLength(JSON.stringify(resource)) > MAX_OBJECT_BYTES) throw new Error('etcdserver: request is too large');
}

export class InMemoryStore implements RedeemerStore {
  private readonly namespaces = new Map<string, Namespace>();
  private resourceVersion = 0;

  private ns(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = { accessTokens: new Map(), secrets: new Map(), links: new Map(), others: new Map() };
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  private stamp<T extends { metadata: AccessToken['metadata'] }>(resource: T, namespace: string): T {
    resource.metadata.namespace = namespace;
    resource.metadata.uid ??= randomUUID();
    resource.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    resource.metadata.resourceVersion = String(++this.resourceVersion);
    return resource;
  }

  setSite(site: Site): void {
    this.ns(site.namespace).site = { ...site };
  }

  deleteSite(namespace: string): void {
    delete this.ns(namespace).site;
  }

  async getSite(namespace: string): Promise<Site | undefined> {
    return this.namespaces.get(namespace)?.site;
  }

  /**
   * Creates the token, or updates its spec as `kubectl apply` does: status is kept, and metadata.generation
   * goes up only when the spec changed.
   */
  applyAccessToken(namespace: string, token: AccessToken): AccessToken {
    const tokens = this.ns(namespace).accessTokens;
    const existing = tokens.get(token.metadata.name);
    if (!existing) {
      const created = structuredClone(token);
      delete created.status;
      created.metadata.generation = 1;
      tokens.set(created.metadata.name, this.stamp(created, namespace));
      return structuredClone(created);
    }
    if (JSON.stringify(existing.spec) !== JSON.stringify(token.spec)) {
      existing.spec = structuredClone(token.spec);
      existing.metadata.generation = (existing.metadata.generation ?? 1) + 1;
      this.stamp(existing, namespace);
    }
    return structuredClone(existing);
  }

  getAccessToken(namespace: string, name: string): AccessToken | undefined {
    const t = this.namespaces.get(namespace)?.accessTokens.get(name);
    return t && structuredClone(t);
  }

  async listAccessTokens(namespace: string): Promise<AccessToken[]> {
    return [...(this.namespaces.get(namespace)?.accessTokens.values() ?? [])].map((t) => structuredClone(t));
  }

  async createSecret(namespace: string, secret: Secret): Promise<void> {
    const secrets = this.ns(namespace).secrets;
    if (secrets.has(secret.metadata.name)) throw alreadyExists('secrets', secret.metadata.name);
    const dataBytes = Object.values(secret.data ?? {}).reduce((n, v) => n + Buffer.byteLength(String(v), 'base64'), 0);
    if (dataBytes > MAX_SECRET_DATA_BYTES) {
      throw new Error(`Secret "${secret.metadata.name}" is invalid: data: Too long: must have at most ${MAX_SECRET_DATA_BYTES} bytes`);
    }
    checkSize(secret);
    secrets.set(secret.metadata.name, this.stamp(structuredClone(secret), namespace));
  }

  async createLink(namespace: string, link: Link): Promise<void> {
    const links = this.ns(namespace).links;
    if (links.has(link.metadata.name)) throw alreadyExists('links.skupper.io', link.metadata.name);
    checkSize(link);
    links.set(link.metadata.name, this.stamp(structuredClone(link), namespace));
  }

  async createResource(namespace: string, resource: OtherResource): Promise<void> {
    const others = this.ns(namespace).others;
    const key = `${resource.kind}/${resource.metadata.name}`;
    if (others.has(key)) throw new Error(`${resource.kind.toLowerCase()}s "${resource.metadata.name}" already exists`);
    checkSize(resource);
    others.set(key, this.stamp(structuredClone(resource) as OtherResource & { metadata: AccessToken['metadata'] }, namespace));
  }

  /** Resources of other kinds in the namespace (none, unless a broken redeemer made them). */
  listOthers(namespace: string): OtherResource[] {
    return [...(this.namespaces.get(namespace)?.others.values() ?? [])].map((r) => structuredClone(r));
  }

  listSecrets(namespace: string): Secret[] {
    return [...(this.namespaces.get(namespace)?.secrets.values() ?? [])].map((s) => structuredClone(s));
  }

  listLinks(namespace: string): Link[] {
    return [...(this.namespaces.get(namespace)?.links.values() ?? [])].map((l) => structuredClone(l));
  }

  /** Deletes the token, as `kubectl delete` does; what a redemption made for it stays (the Site owns it). */
  deleteAccessToken(namespace: string, name: string): void {
    this.namespaces.get(namespace)?.accessTokens.delete(name);
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    this.namespaces.get(namespace)?.secrets.delete(name);
  }

  async deleteLink(namespace: string, name: string): Promise<void> {
    this.namespaces.get(namespace)?.links.delete(name);
  }

  async updateAccessTokenStatus(token: AccessToken): Promise<AccessToken> {
    const namespace = token.metadata.namespace ?? '';
    const existing = this.namespaces.get(namespace)?.accessTokens.get(token.metadata.name);
    if (!existing) throw new Error(`accesstokens.skupper.io "${token.metadata.name}" not found`);
    // the status subresource: only status is written, and generation does not move
    checkSize({ ...existing, status: token.status });
    existing.status = structuredClone(token.status);
    this.stamp(existing, namespace);
    return structuredClone(existing);
  }

  /** Drops a namespace and everything in it. */
  deleteNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
  }
}
