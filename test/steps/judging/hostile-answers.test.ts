// The judgements behind the hostile-answer rules (steps/judging/hostile-answers.ts): each passes what the
// rule allows and names what it does not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation, Site } from '../../../adapters/contract.ts';
import {
  judgeCreatedInTheSite,
  judgeNoResource,
  judgeNothingIn,
  judgeNotALink,
  judgeOwnerReferencesReplaced,
  judgeStoredSize,
  OTHERS_UNREPORTED,
} from '../../../steps/judging/hostile-answers.ts';
import type { Settled } from '../../../steps/judging/settle.ts';
import { SKUPPER_API_VERSION, type AccessToken, type Link, type Secret } from '../../../model/resources.ts';

const site: Site = { name: 's', namespace: 'ns-site', uid: 'u' };
const secret = (name: string, namespace?: string): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(namespace ? { namespace } : {}) } });
const link = (name: string, namespace?: string): Link => ({ apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { endpoints: [] } });
const observed = (o: Partial<Observation> = {}): Observation => ({ accessTokens: [], secrets: [], links: [], ...o });
const token: AccessToken = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: { name: 't' }, spec: { url: 'https://x', code: 'c', ca: 'c' } };
const settled = (outcome: Settled['outcome'], observation: Observation): Settled => ({ outcome, observation, token });
const sent = secret('t', 'kube-system');

describe("judgeCreatedInTheSite (AT-HOSTILE-001)", () => {
  test("a redemption into the site's namespace, or a failure that created nothing, passes", () => {
    assert.equal(judgeCreatedInTheSite(settled('redeemed', observed({ secrets: [secret('t', 'ns-site')], links: [link('t')] })), site, sent), undefined);
    assert.equal(judgeCreatedInTheSite(settled('failed', observed()), site, sent), undefined);
  });
  test('a redemption whose Secret is not in the site fails, and so does anything naming another namespace', () => {
    assert.match(judgeCreatedInTheSite(settled('redeemed', observed()), site, sent) ?? '', /the Secret "t" the grant service sent \(in namespace "kube-system"\) is not in the site's namespace/);
    assert.match(judgeCreatedInTheSite(settled('redeemed', observed({ secrets: [secret('t', 'kube-system')] })), site, sent) ?? '', /Secret "t" is in namespace "kube-system"/);
  });
  test('judgeNothingIn wants no Secret and no Link in the neighbouring site; what else it holds is its own', () => {
    assert.equal(judgeNothingIn(observed({ others: [{ kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } }] }), site), undefined);
    assert.match(judgeNothingIn(observed({ links: [link('t')] }), site) ?? '', /neighbouring site's namespace "ns-site", but it has Link "t"/);
    assert.match(judgeNothingIn(observed({ secrets: [secret('t')] }), site) ?? '', /Secret "t"/);
  });
});

describe('judgeNoResource and judgeNotALink (AT-HOSTILE-002, -003)', () => {
  test('a resource of the kind and name fails; another name or kind passes', () => {
    const o = observed({ others: [{ kind: 'Pod', metadata: { name: 'planted', namespace: 'ns-site' } }] });
    assert.match(judgeNoResource(o, 'Pod', 'planted') ?? '', /the Pod "planted" in the answer became a Pod in namespace "ns-site"/);
    assert.equal(judgeNoResource(o, 'Pod', 'other'), undefined);
    assert.equal(judgeNoResource(o, 'Role', 'planted'), undefined);
    assert.match(judgeNoResource(observed({ secrets: [secret('planted')] }), 'Secret', 'planted') ?? '', /became a Secret/);
  });
  test('other kinds cannot be judged without `others`: unreported, not passed', () => {
    assert.equal(judgeNoResource(observed(), 'ConfigMap', 'planted'), OTHERS_UNREPORTED);
    assert.equal(judgeNoResource(observed({ others: [] }), 'ConfigMap', 'planted'), undefined);
  });
  test('a Link named after the document fails AT-HOSTILE-003', () => {
    assert.match(judgeNotALink(observed({ links: [link('planted')] }), 'ConfigMap', 'planted') ?? '', /the ConfigMap "planted" in the answer became a Link "planted"/);
    assert.equal(judgeNotALink(observed({ links: [link('t')] }), 'ConfigMap', 'planted'), undefined);
  });
});

describe('judgeOwnerReferencesReplaced (AT-HOSTILE-004)', () => {
  const foreign = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'grant-server', uid: 'f-1' }];
  const siteRef = { apiVersion: SKUPPER_API_VERSION, kind: 'Site', name: 's', uid: 'u' };
  test('the Site alone, or no owner at all, passes; a reference the answer carried, kept beside it, fails', () => {
    const owned = (refs: typeof foreign) => observed({ secrets: [{ ...secret('t'), metadata: { name: 't', ownerReferences: refs } }] });
    assert.equal(judgeOwnerReferencesReplaced(owned([siteRef]), foreign), undefined);
    assert.equal(judgeOwnerReferencesReplaced(owned([]), foreign), undefined);
    assert.match(judgeOwnerReferencesReplaced(owned([...foreign, siteRef]), foreign) ?? '', /Secret "t" kept the answer's owner reference to Deployment "grant-server" \(uid f-1\)/);
  });
});

describe('judgeStoredSize (AT-HOSTILE-007)', () => {
  test('a token under 1.5 MiB passes; one whose message quotes tens of MiB fails, naming its size', () => {
    assert.equal(judgeStoredSize({ ...token, status: { status: 'Error', message: 'x'.repeat(1000) } }), undefined);
    assert.match(judgeStoredSize({ ...token, status: { status: 'Error', message: 'y'.repeat(2 * 1024 * 1024) } }) ?? '', /more than the 1572864 an API server stores \(its status message alone is 2097152 bytes/);
  });
});
