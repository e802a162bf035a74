// An in-memory stand-in for one cluster's API server: per-namespace AccessTokens, Secrets, Links and the
// Site, with the API server's bookkeeping that the rules depend on (uid, generation, name collisions).
import { randomUUID } from 'node:crypto';
import { alreadyExists, type RedeemerStore } from './store.ts';
import type { Site } from '../../adapters/contract.ts';
import type { AccessToken, Link, Secret } from '../../model/resources.ts';

interface Namespace {
  site?: Site;
  accessTokens: Map<string, AccessToken>;
  secrets: Map<string, Secret>;
  links: Map<string, Link>;
}

export class InMemoryStore implements RedeemerStore {
  private readonly namespaces = new Map<string, Namespace>();
  private resourceVersion = 0;

  private ns(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = { accessTokens: new Map(), secrets: new Map(), links: new Map() };
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
    secrets.set(secret.metadata.name, this.stamp(structuredClone(secret), namespace));
  }

  async createLink(namespace: string, link: Link): Promise<void> {
    const links = this.ns(namespace).links;
    if (links.has(link.metadata.name)) throw alreadyExists('links.skupper.io', link.metadata.name);
    links.set(link.metadata.name, this.stamp(structuredClone(link), namespace));
  }

  listSecrets(namespace: string): Secret[] {
    return [...(this.namespaces.get(namespace)?.secrets.values() ?? [])].map((s) => structuredClone(s));
  }

  listLinks(namespace: string): Link[] {
    return [...(this.namespaces.get(namespace)?.links.values() ?? [])].map((l) => structuredClone(l));
  }

  async updateAccessTokenStatus(token: AccessToken): Promise<AccessToken> {
    const namespace = token.metadata.namespace ?? '';
    const existing = this.namespaces.get(namespace)?.accessTokens.get(token.metadata.name);
    if (!existing) throw new Error(`accesstokens.skupper.io "${token.metadata.name}" not found`);
    // the status subresource: only status is written, and generation does not move
    existing.status = structuredClone(token.status);
    this.stamp(existing, namespace);
    return structuredClone(existing);
  }

  /** Drops a namespace and everything in it. */
  deleteNamespace(namespace: string): void {
    this.namespaces.delete(namespace);
  }
}
