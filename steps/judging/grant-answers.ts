// What a grant service's successful redemption carries (spec §2.3, §2.5), judged as a redeeming site needs
// it: a YAML stream whose first document is a kubernetes.io/tls Secret named after the `name` header, a
// client certificate in it (signed by its ca.crt, matching its tls.key, usable for client authentication,
// CommonName = the `subject` header, SANs for the issuing site's endpoint hosts), then one Link per
// endpoint group of the issuing site, and no namespace anywhere. Every judge returns undefined when the
// answer conforms, or what was expected and what was observed, in words; none prints a key or a code.
import { decodeBase64, parseYamlDocuments, SKUPPER_API_VERSION, type Endpoint } from '../../model/resources.ts';
import { isObject } from '../../model/text.ts';

/** What came back for a request: the status and body of an answer, or why none arrived. */
export interface AnswerSeen {
  status?: number;
  body?: string;
  error?: string;
}

/** A problem that stops the judging of an answer (no 200, no YAML, no Secret), said in words. */
export class AnswerError extends Error {
  override name = 'AnswerError';
}

const ROUTER_ROLES = new Set(['inter-router', 'edge']);

// ---------------------------------------------------------------------------------------------------
// decoding

/** The documents of a 200 answer, in order. Throws AnswerError when there was no 200 or no YAML stream. */
export function answerDocuments(answer: AnswerSeen): unknown[] {
  if (answer.status === undefined) {
    throw new AnswerError(`expected a 200 answer carrying the redemption's documents; no answer arrived (${answer.error ?? 'no reason known'})`);
  }
  if (answer.status !== 200) {
    const text = (answer.body ?? '').trim().slice(0, 200);
    throw new AnswerError(`expected a 200 answer carrying the redemption's documents; the grant service answered ${answer.status}${text ? ` "${text}"` : ''}`);
  }
  let documents: unknown[];
  try {
    documents = parseYamlDocuments(answer.body ?? '');
  } catch (e) {
    throw new AnswerError(`expected the 200 body to be a YAML stream; it does not parse (${(e as Error).message})`);
  }
  if (documents.length === 0) throw new AnswerError('expected the 200 body to be a YAML stream of documents; it holds none');
  return documents;
}

function kindOf(doc: unknown): string | undefined {
  return isObject(doc) && typeof doc.kind === 'string' ? doc.kind : undefined;
}

function metadataOf(doc: unknown): Record<string, unknown> {
  return isObject(doc) && isObject(doc.metadata) ? doc.metadata : {};
}

function nameOf(doc: unknown): string | undefined {
  const name = metadataOf(doc).name;
  return typeof name === 'string' ? name : undefined;
}

function describeDocument(doc: unknown): string {
  if (!isObject(doc)) return `a ${Array.isArray(doc) ? 'list' : typeof doc}`;
  const kind = kindOf(doc) ?? 'document without a kind';
  const name = nameOf(doc);
  return name ? `a ${kind} named "${name}"` : `a ${kind} without a name`;
}

/** The answer's Secret: the first document of kind Secret (AT-ANSWER-001 says it must be the first of all). */
export function answerSecret(documents: readonly unknown[]): Record<string, unknown> {
  const secret = documents.find((d) => kindOf(d) === 'Secret');
  if (!isObject(secret)) throw new AnswerError(`expected the answer to hold a Secret; it holds ${documents.map(describeDocument).join(', ')}`);
  return secret;
}

/** The answer's Links: every document of kind Link, in order. */
export function answerLinks(documents: readonly unknown[]): Record<string, unknown>[] {
  return documents.filter((d): d is Record<string, unknown> => kindOf(d) === 'Link');
}

// ---------------------------------------------------------------------------------------------------
// AT-ANSWER-001: the Secret comes first

/** Undefined when the first document is a kubernetes.io/tls Secret named `name` with tls.crt, tls.key and ca.crt. */
export function judgeSecret(documents: readonly unknown[], name: string): string | undefined {
  const first = documents[0];
  if (kindOf(first) !== 'Secret') return `expected the first document of the answer to be a Secret named "${name}"; it is ${describeDocument(first)}`;
  const secret = first as Record<string, unknown>;
  const problems: string[] = [];
  if (secret.apiVersion !== 'v1') problems.push(`its apiVersion is ${JSON.stringify(secret.apiVersion)}, not "v1"`);
  if (nameOf(secret) !== name) problems.push(`it is named ${JSON.stringify(nameOf(secret))}, not "${name}"`);
  if (secret.type !== 'kubernetes.io/tls') problems.push(`its type is ${JSON.stringify(secret.type)}, not "kubernetes.io/tls"`);
  const data = isObject(secret.data) ? secret.data : {};
  const missing = ['tls.crt', 'tls.key', 'ca.crt'].filter((k) => typeof data[k] !== 'string' || decodeBase64(data[k] as string).trim() === '');
  if (missing.length > 0) problems.push(`its data lacks ${missing.join(', ')}`);
  return problems.length === 0 ? undefined : `expected the first document to be a kubernetes.io/tls Secret named "${name}" with tls.crt, tls.key and ca.crt; ${problems.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------------
// the Links (AT-ANSWER-005, -006)

/** The endpoint groups a redemption's Links are made of: each group's inter-router and edge endpoints, by Endpoint.group ("" is a group too); groups with none are left out. */
export function routerGroups(endpoints: readonly Endpoint[]): Map<string, Endpoint[]> {
  const groups = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    if (!e.name || !ROUTER_ROLES.has(e.name)) continue;
    const key = e.group ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  return groups;
}

export function describeEndpoint(e: unknown): string {
  if (!isObject(e)) return JSON.stringify(e);
  const group = typeof e.group === 'string' && e.group ? ` in group ${e.group}` : '';
  return `${String(e.name ?? '(no name)')} ${String(e.host ?? '(no host)')}:${String(e.port ?? '(no port)')}${group}`;
}

/** An endpoint's identity as a Link names it: role, host and port. */
function endpointKey(e: unknown): string {
  return isObject(e) ? JSON.stringify([String(e.name ?? ''), String(e.host ?? ''), String(e.port ?? '')]) : JSON.stringify(e);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((x, i) => x === sortedB[i]);
}

function quotedList(xs: readonly string[]): string {
  return xs.length ? xs.map((x) => JSON.stringify(x)).join(', ') : 'none';
}

/**
 * Undefined when the answer holds one Link per endpoint group of the issuing site, each holding exactly that
 * group's inter-router and edge endpoints (as they are: role, host, port; a group, when named, the same),
 * with `tlsCredentials` the Secret's name. Which Link gets which group does not matter (Skupper's order is Go
 * map order).
 */
export function judgeLinkGroups(documents: readonly unknown[], endpoints: readonly Endpoint[]): string | undefined {
  const groups = routerGroups(endpoints);
  const links = answerLinks(documents);
  const secretName = nameOf(answerSecret(documents));
  const problems: string[] = [];
  const matched = new Map<string, string>();
  for (const link of links) {
    const name = nameOf(link) ?? '(no name)';
    if (link.apiVersion !== SKUPPER_API_VERSION) problems.push(`Link "${name}" has apiVersion ${JSON.stringify(link.apiVersion)}, not "${SKUPPER_API_VERSION}"`);
    const spec = isObject(link.spec) ? link.spec : {};
    if (spec.tlsCredentials !== secretName) {
      problems.push(`Link "${name}" has tlsCredentials ${JSON.stringify(spec.tlsCredentials)}, not the Secret's name ${JSON.stringify(secretName)}`);
    }
    const linkEndpoints = Array.isArray(spec.endpoints) ? spec.endpoints : [];
    const keys = linkEndpoints.map(endpointKey);
    const group = [...groups].find(([, members]) => sameSet(members.map(endpointKey), keys));
    if (!group) {
      problems.push(`Link "${name}" holds ${linkEndpoints.length ? linkEndpoints.map(describeEndpoint).join(', ') : 'no endpoint'}, which are not the inter-router and edge endpoints of any one group`);
      continue;
    }
    const [groupName] = group;
    const wrongGroup = linkEndpoints.filter((e) => isObject(e) && typeof e.group === 'string' && e.group !== '' && e.group !== groupName);
    if (wrongGroup.length > 0) problems.push(`Link "${name}" names the group of ${wrongGroup.map(describeEndpoint).join(', ')} wrongly (the site's group is "${groupName}")`);
    const earlier = matched.get(groupName);
    if (earlier) problems.push(`Links "${earlier}" and "${name}" both hold the endpoints of group "${groupName}"`);
    else matched.set(groupName, name);
  }
  for (const [groupName, members] of groups) {
    if (!matched.has(groupName)) problems.push(`no Link holds the ${members.length} router endpoint(s) of group "${groupName}"`);
  }
  if (problems.length === 0) return undefined;
  return `expected ${groups.size} Link(s), one per endpoint group of the issuing site, each with the group's inter-router and edge endpoints and tlsCredentials ${JSON.stringify(secretName)}; the answer holds ${links.length} Link(s): ${problems.join('; ')}`;
}

/** The Link names a redemption under `name` gives for `groupCount` endpoint groups: `name`, or `name-1` … `name-N`. */
export function expectedLinkNames(name: string, groupCount: number): string[] {
  return groupCount === 1 ? [name] : Array.from({ length: groupCount }, (_, i) => `${name}-${i + 1}`);
}

/** Undefined when the answer's Links have exactly these names (in any order). */
export function judgeLinkNames(documents: readonly unknown[], names: readonly string[]): string | undefined {
  const seen = linkNames(documents);
  if (sameSet(seen, names)) return undefined;
  return `expected the answer's Links to be named ${quotedList(names)}; they are named ${quotedList(seen)}`;
}

function linkNames(documents: readonly unknown[]): string[] {
  return answerLinks(documents).map((l) => nameOf(l) ?? '(no name)');
}

// ---------------------------------------------------------------------------------------------------
// AT-ANSWER-007, -008

/** Undefined when no document carries a (non-empty) metadata.namespace. */
export function judgeNoNamespace(documents: readonly unknown[]): string | undefined {
  const placed = documents.filter((d) => {
    const ns = metadataOf(d).namespace;
    return ns !== undefined && ns !== null && ns !== '';
  });
  if (placed.length === 0) return undefined;
  return `expected no document of the answer to carry a metadata.namespace (the redeeming site decides where it writes); ${placed
    .map((d) => `${describeDocument(d)} carries ${JSON.stringify(metadataOf(d).namespace)}`)
    .join(', ')}`;
}

/** Undefined when the Secret and every Link are named `name` (one endpoint group) or `name-N` (several). */
export function judgeNamedAfter(documents: readonly unknown[], name: string, groupCount: number): string | undefined {
  const secretName = nameOf(answerSecret(documents));
  const problems: string[] = [];
  if (secretName !== name) problems.push(`the Secret is named ${JSON.stringify(secretName)}`);
  const expected = expectedLinkNames(name, groupCount);
  const seen = linkNames(documents);
  if (!sameSet(seen, expected)) problems.push(`the Links are named ${quotedList(seen)}, not ${quotedList(expected)}`);
  return problems.length === 0 ? undefined : `expected the Secret and the Links to be named after "${name}"; ${problems.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------------
// the issuing site's endpoints a scenario asks for

/** `groups` endpoint groups of inter-router and edge endpoints; with `otherRole`, also an endpoint of another role in the first group. */
export function issuingEndpoints(groups: number, options: { otherRole?: boolean; domain?: string } = {}): Endpoint[] {
  const domain = options.domain ?? 'issuing-site.example.test';
  const endpoints: Endpoint[] = [];
  for (let g = 1; g <= groups; g++) {
    endpoints.push(
      { name: 'inter-router', host: `skupper-inter-router-${g}.${domain}`, port: '55671', group: `skupper-router-${g}` },
      { name: 'edge', host: `skupper-edge-${g}.${domain}`, port: '45671', group: `skupper-router-${g}` },
    );
  }
  // a role a Link has no use for (Skupper adds its host to the SANs, and leaves it out of every Link)
  if (options.otherRole) endpoints.splice(2, 0, { name: 'claims', host: `skupper-claims.${domain}`, port: '8081', group: 'skupper-router-1' });
  return endpoints;
}

/** Undefined when the site has the endpoints asked for (role, host, port, group); otherwise the difference. */
export function judgeSiteEndpoints(asked: readonly Endpoint[], known: readonly Endpoint[]): string | undefined {
  const key = (e: Endpoint) => JSON.stringify([e.name ?? '', e.host ?? '', e.port ?? '', e.group ?? '']);
  if (sameSet(asked.map(key), known.map(key))) return undefined;
  return `the scenario needs the issuing site to have the endpoints ${asked.map(describeEndpoint).join(', ')}; the grant service's site has ${known.length ? known.map(describeEndpoint).join(', ') : 'none'}`;
}
