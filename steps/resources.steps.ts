// What the implementation created in the site's namespace: the Secret and the Links.
import { Given, Then } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { describeObservation, ensure, hasDefaultCost, linkNames, secretText } from './judging/judgements.ts';
import { SKUPPER_API_VERSION, type Link, type Secret } from '../model/resources.ts';
import {
  judgeCreatedInTheSite,
  judgeNoResource,
  judgeNothingIn,
  judgeNotALink,
  judgeOwnerReferencesReplaced,
  OTHERS_UNREPORTED,
} from './judging/hostile-answers.ts';
import type { ConformanceWorld } from './support/world.ts';

/** The documents of the last 200 answer the grant service gave in this scenario, as the log keeps them. */
function sentDocuments(world: ConformanceWorld): { secret: Secret; links: Link[] } {
  const answered = world.service.requests().filter((r) => r.answer.status === 200);
  assert.ok(answered.length > 0, 'the grant service gave no 200 answer');
  const { documents } = answered[answered.length - 1];
  assert.ok(documents, 'the last 200 answer of the grant service was not a redemption (a fault wrote other bytes)');
  const [secret, ...links] = documents as [Secret, ...Link[]];
  return { secret, links };
}

Then('the site has no Secret and no Link', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  ensure(o.secrets.length === 0 && o.links.length === 0, () => `expected nothing to be created, but the site has:\n${describeObservation(o)}`);
});

Then('the site has no Link', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  ensure(o.links.length === 0, () => `expected no Link, but the site has:\n${describeObservation(o)}`);
});

Then('the site has a Secret named {string} of type {string}', async function (this: ConformanceWorld, name: string, type: string) {
  const o = await this.observeSettled();
  const secret = o.secrets.find((s) => s.metadata.name === name);
  ensure(secret, () => `expected a Secret "${name}", but the site has:\n${describeObservation(o)}`);
  assert.equal(secret.type, type);
  assert.ok([undefined, this.site.namespace].includes(secret.metadata.namespace), `the Secret is in namespace "${secret.metadata.namespace}", not the site's`);
});

Then('the Secret {string} holds the credentials the grant service sent', async function (this: ConformanceWorld, name: string) {
  const o = await this.observeSettled();
  const secret = o.secrets.find((s) => s.metadata.name === name);
  assert.ok(secret, `no Secret "${name}"`);
  const sent = sentDocuments(this).secret;
  for (const key of ['tls.crt', 'tls.key', 'ca.crt']) {
    const got = secretText(secret, key);
    assert.ok(got !== undefined, `the Secret has no ${key}`);
    // compared, never printed: tls.key is a private key
    assert.ok(got === secretText(sent, key), `the Secret's ${key} is not what the grant service sent`);
  }
});

Then('the site has exactly the Links {names}', async function (this: ConformanceWorld, names: string[]) {
  const o = await this.observeSettled();
  ensure(isDeepStrictEqual(linkNames(o), [...names].sort()), () => `expected the Links ${names.join(', ')}, but the site has:\n${describeObservation(o)}`);
  for (const link of o.links) {
    assert.ok([undefined, this.site.namespace].includes(link.metadata.namespace), `Link "${link.metadata.name}" is in namespace "${link.metadata.namespace}"`);
    assert.equal(link.apiVersion ?? SKUPPER_API_VERSION, SKUPPER_API_VERSION);
  }
});

Then('the site has a Link named {string}', async function (this: ConformanceWorld, name: string) {
  const o = await this.observeSettled();
  ensure(linkNames(o).includes(name), () => `expected a Link "${name}", but the site has:\n${describeObservation(o)}`);
});

Then('every Link has the endpoints and tlsCredentials the grant service sent', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  const sent = sentDocuments(this).links;
  assert.equal(o.links.length, sent.length, `the grant service sent ${sent.length} Links, the site has ${o.links.length}`);
  for (const s of sent) {
    const link = o.links.find((l) => l.metadata.name === s.metadata.name);
    assert.ok(link, `no Link "${s.metadata.name}"`);
    assert.deepEqual(link.spec.endpoints, s.spec.endpoints, `Link "${s.metadata.name}" endpoints differ from what was sent`);
    assert.equal(link.spec.tlsCredentials, s.spec.tlsCredentials);
  }
});

Then('every Link has the default cost', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  assert.ok(o.links.length > 0, 'the site has no Link');
  for (const link of o.links) {
    assert.ok(hasDefaultCost(link), `Link "${link.metadata.name}" has cost ${link.spec.cost}; the default cost is no cost or 1`);
  }
});

Then('every Link has cost {int}', async function (this: ConformanceWorld, cost: number) {
  const o = await this.observeSettled();
  assert.ok(o.links.length > 0, 'the site has no Link');
  for (const link of o.links) assert.equal(link.spec.cost, cost, `Link "${link.metadata.name}" has cost ${link.spec.cost}, expected ${cost}`);
});

// Exactly one owner reference, the Site's: the answer's own references are replaced, and nothing else
// (the token, another resource) owns what the redemption made. The controller and blockOwnerDeletion
// flags are not judged: Skupper sets neither, and no source gives them a consequence here.
Then('the Secret and every Link are owned by the site', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  const owned = [...o.secrets, ...o.links];
  assert.ok(owned.length > 1, 'nothing was created');
  for (const r of owned) {
    const refs = r.metadata.ownerReferences ?? [];
    const isSite = (ref: (typeof refs)[number]) =>
      ref.kind === 'Site' && ref.name === this.site.name && ref.uid === this.site.uid && ref.apiVersion === SKUPPER_API_VERSION;
    assert.ok(
      refs.length === 1 && isSite(refs[0]),
      `${r.kind} "${r.metadata.name}" should have exactly one owner reference, to Site "${this.site.name}" (uid ${this.site.uid}, ${SKUPPER_API_VERSION}); it has: ${JSON.stringify(refs)}`,
    );
  }
});

// ---------------------------------------------------------------------------------------------------
// Hostile and broken answers (features/hostile-answers.feature)

function check(failure: string | undefined): void {
  if (failure) assert.fail(failure);
}

Given('a neighbouring site', async function (this: ConformanceWorld) {
  await this.addNeighbour();
});

Then("whatever the token created is in the site's namespace", async function (this: ConformanceWorld) {
  const settled = await this.settled();
  check(judgeCreatedInTheSite(settled, this.site, sentDocuments(this).secret));
});

Then('the neighbouring site has no Secret and no Link', async function (this: ConformanceWorld) {
  check(judgeNothingIn(await this.observeNeighbourSettled(), this.requireNeighbour()));
});

Then('no {word} named {string} was created', async function (this: ConformanceWorld, kind: string, name: string) {
  const judged = judgeNoResource(await this.observeSettled(), kind, name);
  if (judged === OTHERS_UNREPORTED) return this.unsupported('observe().others (the resources of other kinds it created)');
  check(judged);
  return undefined;
});

Then('the {word} {string} did not become a Link', async function (this: ConformanceWorld, kind: string, name: string) {
  check(judgeNotALink(await this.observeSettled(), kind, name));
});

Then('no owner reference the grant service sent is on the Secret or a Link', async function (this: ConformanceWorld) {
  const sent = sentDocuments(this).secret.metadata.ownerReferences ?? [];
  assert.ok(sent.length > 0, "the grant service's answer carried no owner references");
  check(judgeOwnerReferencesReplaced(await this.observeSettled(), sent));
});
