// A small AccessToken redeemer written only from docs/adapters.md: it imports nothing from the suite.
// Run it: npx accesstoken-conformance run --impl ./examples/minimal-implementation.mjs
import https from 'node:https';
import { parseAllDocuments } from 'yaml';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function post(url, token, site) {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(token.spec.code, 'utf8');
    const req = https.request(url, {
      method: 'POST',
      ca: token.spec.ca, // only the token's CA
      minVersion: 'TLSv1.3',
      agent: false,
      headers: { name: token.metadata.name, subject: site.uid, 'content-length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
      });
      // an answer cut off before its end is an error too
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    // one deadline for the whole exchange: the TLS handshake, the headers and the body (req.setTimeout is
    // an idle timeout that starts only once the TLS handshake is over)
    const timer = setTimeout(() => req.destroy(new Error('timed out after 10 s')), 10_000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

async function redeem(token, site, ns) {
  if (!token.spec.ca) return 'token does not have a CA';
  let url;
  try { url = new URL(token.spec.url); } catch (e) { return `could not parse token url: ${e.message}`; }
  if (url.protocol !== 'https:') return 'token url scheme must be https';
  let res;
  try { res = await post(url, token, site); } catch (e) { return `request failed: ${e.message}`; }
  // quote a line of the answer, not megabytes of it: a status must stay small enough to store
  if (res.status !== 200) return `grant service answered ${res.status}: ${res.body.trim().slice(0, 1024)}`;
  // the Secret must decode; Links are read until the first document that does not
  const docs = parseAllDocuments(res.body);
  const secret = docs[0]?.errors.length === 0 ? docs[0].toJS() : undefined;
  if (!secret || typeof secret !== 'object' || secret.kind !== 'Secret') return 'could not decode the answer';
  const links = [];
  for (const doc of docs.slice(1)) {
    const value = doc.errors.length === 0 ? doc.toJS() : undefined;
    if (!value || typeof value !== 'object' || value.kind !== 'Link') break; // nothing but Links after the Secret
    links.push(value);
  }
  const owner = [{ apiVersion: 'skupper.io/v2alpha1', kind: 'Site', name: site.name, uid: site.uid }];
  if (ns.secrets.has(secret.metadata.name)) return `secret ${secret.metadata.name} already exists`;
  ns.secrets.set(secret.metadata.name, { ...secret, metadata: { ...secret.metadata, namespace: site.namespace, ownerReferences: owner } });
  for (const link of links) {
    if (ns.links.has(link.metadata.name)) return `link ${link.metadata.name} already exists`;
    const spec = { ...link.spec };
    if (token.spec.linkCost > 0) spec.cost = token.spec.linkCost;
    ns.links.set(link.metadata.name, { ...link, metadata: { ...link.metadata, namespace: site.namespace, ownerReferences: owner }, spec });
  }
  return undefined;
}

function record(token, error) {
  const status = error === undefined ? 'True' : 'False';
  const old = token.status?.conditions?.find((c) => c.type === 'Redeemed');
  const condition = {
    type: 'Redeemed',
    status,
    reason: error === undefined ? 'Ready' : 'Error',
    message: error ?? 'OK',
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now(),
    observedGeneration: token.metadata.generation,
  };
  token.status = { status: error === undefined ? 'Ready' : 'Error', message: condition.message, conditions: [condition] };
  if (error === undefined) token.status.redeemed = true;
}

export default async function create() {
  const namespaces = new Map();
  const nsOf = (site) => {
    if (!namespaces.has(site.namespace)) namespaces.set(site.namespace, { tokens: new Map(), secrets: new Map(), links: new Map(), site });
    return namespaces.get(site.namespace);
  };
  const reconcile = async (token, ns) => {
    if (token.status?.conditions?.some((c) => c.type === 'Redeemed' && c.status === 'True')) return;
    record(token, await redeem(token, ns.site, ns));
  };
  return {
    name: 'minimal-example',
    version: '1.0.0',
    features: ['status', 'link-cost', 'resync', 'owner-references'],
    async apply(token, site) {
      const ns = nsOf(site);
      const held = ns.tokens.get(token.metadata.name);
      if (held) {
        if (JSON.stringify(held.spec) !== JSON.stringify(token.spec)) {
          held.spec = structuredClone(token.spec);
          held.metadata.generation += 1;
        }
      } else {
        ns.tokens.set(token.metadata.name, { ...structuredClone(token), metadata: { ...token.metadata, namespace: site.namespace, generation: 1 } });
      }
      await reconcile(ns.tokens.get(token.metadata.name), ns);
    },
    async observe(site) {
      const ns = nsOf(site);
      return { accessTokens: [...ns.tokens.values()].map((t) => structuredClone(t)), secrets: [...ns.secrets.values()], links: [...ns.links.values()] };
    },
    async resync(site) {
      const ns = nsOf(site);
      for (const token of ns.tokens.values()) await reconcile(token, ns);
    },
    async close() {
      namespaces.clear();
    },
  };
}
