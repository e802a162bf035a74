// What a redeemer must keep to when the grant service's answer is hostile or broken (features/hostile-
// answers.feature): the judgements behind those Then steps. Each returns undefined when the implementation
// kept to the rule, or the failure to report.
import type { Observation, OtherResource, Site } from '../../adapters/contract.ts';
import { MAX_OBJECT_BYTES } from '../../simulator/redeemer/memory-store.ts';
import type { AccessToken, Link, OwnerReference, Secret } from '../../model/resources.ts';
import { describeObservation } from './judgements.ts';
import type { Settled } from './settle.ts';

/** `others` unreported: a rule that looks for resources of other kinds cannot be judged. */
export const OTHERS_UNREPORTED = 'unreported';

function where(resource: { kind?: string; metadata: { name: string; namespace?: string } }): string {
  return `${resource.kind ?? 'a resource'} "${resource.metadata.name}"`;
}

/** The Secrets and Links observed for `site` that name a namespace other than the site's. */
export function outsideTheSite(observation: Observation, site: Site): string[] {
  return [...observation.secrets, ...observation.links]
    .filter((r) => ![undefined, site.namespace].includes(r.metadata.namespace))
    .map((r) => `${where(r)} is in namespace "${r.metadata.namespace}"`);
}

/**
 * After an answer whose documents named another namespace: the token may fail (creating nothing), or be
 * redeemed into the site's own namespace, the Secret the grant service sent there with it. Nothing the
 * site reports may name another namespace.
 */
export function judgeCreatedInTheSite(settled: Settled, site: Site, sentSecret: Secret): string | undefined {
  const o = settled.observation;
  const outside = outsideTheSite(o, site);
  if (outside.length > 0) return `expected everything to be created in the site's namespace "${site.namespace}"; ${outside.join('; ')}`;
  if (settled.outcome === 'redeemed' && !o.secrets.some((s) => s.metadata.name === sentSecret.metadata.name)) {
    return (
      `the token was redeemed, but the Secret "${sentSecret.metadata.name}" the grant service sent (in namespace ` +
      `"${sentSecret.metadata.namespace}") is not in the site's namespace "${site.namespace}"; the site has:\n${describeObservation(o)}`
    );
  }
  return undefined;
}

/** No Secret and no Link in the neighbouring site (what else a namespace holds is its own business). */
export function judgeNothingIn(observation: Observation, neighbour: Site): string | undefined {
  const found = [...observation.secrets, ...observation.links];
  if (found.length === 0) return undefined;
  return `expected nothing in the neighbouring site's namespace "${neighbour.namespace}", but it has ${found.map(where).join(', ')}`;
}

/**
 * No resource of `kind` named `name`. Secrets and Links are in every observation; other kinds only in
 * `others`, which an implementation may leave out: then it is OTHERS_UNREPORTED, not a pass.
 */
export function judgeNoResource(observation: Observation, kind: string, name: string): string | typeof OTHERS_UNREPORTED | undefined {
  let found: Array<Secret | Link | OtherResource>;
  if (kind === 'Secret') found = observation.secrets;
  else if (kind === 'Link') found = observation.links;
  else if (observation.others === undefined) return OTHERS_UNREPORTED;
  else found = observation.others.filter((r) => r.kind === kind);
  const made = found.find((r) => r.metadata.name === name);
  return made ? `the ${kind} "${name}" in the answer became a ${kind}${made.metadata.namespace ? ` in namespace "${made.metadata.namespace}"` : ''}` : undefined;
}

/** No Link made of the document named `name`, which was of another kind. */
export function judgeNotALink(observation: Observation, kind: string, name: string): string | undefined {
  return observation.links.some((l) => l.metadata.name === name)
    ? `the ${kind} "${name}" in the answer became a Link "${name}": a document that is not a Link must not be made one`
    : undefined;
}

/** No owner reference the grant service sent (by uid) on what the site has. */
export function judgeOwnerReferencesReplaced(observation: Observation, sent: readonly OwnerReference[]): string | undefined {
  const foreign = new Set(sent.map((r) => r.uid));
  const kept = [...observation.secrets, ...observation.links].flatMap((r) =>
    (r.metadata.ownerReferences ?? []).filter((ref) => foreign.has(ref.uid)).map((ref) => `${where(r)} kept the answer's owner reference to ${ref.kind} "${ref.name}" (uid ${ref.uid})`),
  );
  return kept.length === 0 ? undefined : `expected the answer's owner references to be replaced, not kept; ${kept.join('; ')}`;
}

/**
 * The AccessToken as reported fits in what the API server stores (etcd's 1.5 MiB): a status that quotes an
 * answer of tens of MiB is one no controller can write, so its token never shows an outcome.
 */
export function judgeStoredSize(token: AccessToken): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(token));
  if (bytes <= MAX_OBJECT_BYTES) return undefined;
  const message = token.status?.message ?? '';
  return (
    `the AccessToken takes ${bytes} bytes, more than the ${MAX_OBJECT_BYTES} an API server stores ` +
    `(its status message alone is ${Buffer.byteLength(message)} bytes, starting "${message.slice(0, 80)}…")`
  );
}
