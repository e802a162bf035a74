// Where a redeemer keeps the resources it reads and creates. The reference redeemer runs over an
// in-memory store in-process, and over the Kubernetes API when it runs as a controller: the redemption
// logic is the same, only the store differs.
import type { OtherResource, Site } from '../../adapters/contract.ts';
import type { AccessToken, Link, Secret } from '../../model/resources.ts';

/** Thrown by create calls when the name is taken; the message is the API server's (`secrets "x" already exists`). */
export class AlreadyExistsError extends Error {
  override name = 'AlreadyExistsError';
}

export interface RedeemerStore {
  /** The Site a namespace's tokens are redeemed for (Skupper's controller knows one per namespace), or undefined when it has none. */
  getSite(namespace: string): Promise<Site | undefined>;
  listAccessTokens(namespace: string): Promise<AccessToken[]>;
  /** Creates the Secret in the namespace; throws AlreadyExistsError when one of that name exists. */
  createSecret(namespace: string, secret: Secret): Promise<void>;
  /** Creates the Link in the namespace; throws AlreadyExistsError when one of that name exists. */
  createLink(namespace: string, link: Link): Promise<void>;
  /**
   * Creates a resource of any other kind. The reference never calls it: a redemption creates a Secret and
   * Links only. It is here for the deliberately broken redeemer that creates whatever kind it is given.
   */
  createResource?(namespace: string, resource: OtherResource): Promise<void>;
  /**
   * Delete a Secret or a Link by name; nothing when there is none. The reference never calls them: what a
   * redemption made is the Site's, and stays when its token goes. They are here for the deliberately
   * broken redeemer that takes them with the token.
   */
  deleteSecret?(namespace: string, name: string): Promise<void>;
  deleteLink?(namespace: string, name: string): Promise<void>;
  /** Writes `token.status` (the status subresource); returns the stored token. */
  updateAccessTokenStatus(token: AccessToken): Promise<AccessToken>;
}

export function alreadyExists(resource: 'secrets' | 'links.skupper.io' | 'accesstokens.skupper.io', name: string): AlreadyExistsError {
  return new AlreadyExistsError(`${resource} "${name}" already exists`);
}
