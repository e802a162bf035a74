// What the implementation created in the site's namespace: the Secret and the Links.
import { Then } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { describeObservation, effectiveCost, linkNames, secretText } from './judging/judgements.ts';
import { SKUPPER_API_VERSION, type Link, type Secret } from '../model/resources.ts';
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
  assert.ok(o.secrets.length === 0 && o.links.length === 0, `expected nothing to be created, but the site has:\n${describeObservation(o)}`);
});

Then('the site has no Link', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  assert.equal(o.links.length, 0, `expected no Link, but the site has:\n${describeObservation(o)}`);
});

Then('the site has a Secret named {string} of type {string}', async function (this: ConformanceWorld, name: string, type: string) {
  const o = await this.observeSettled();
  const secret = o.secrets.find((s) => s.metadata.name === name);
  assert.ok(secret, `expected a Secret "${name}", but the site has:\n${describeObservation(o)}`);
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
  assert.deepEqual(linkNames(o), [...names].sort(), `expected the Links ${names.join(', ')}, but the site has:\n${describeObservation(o)}`);
  for (const link of o.links) {
    assert.ok([undefined, this.site.namespace].includes(link.metadata.namespace), `Link "${link.metadata.name}" is in namespace "${link.metadata.namespace}"`);
    assert.equal(link.apiVersion ?? SKUPPER_API_VERSION, SKUPPER_API_VERSION);
  }
});

Then('the site has a Link named {string}', async function (this: ConformanceWorld, name: string) {
  const o = await this.observeSettled();
  assert.ok(linkNames(o).includes(name), `expected a Link "${name}", but the site has:\n${describeObservation(o)}`);
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
    assert.equal(effectiveCost(link), 1, `Link "${link.metadata.name}" has cost ${link.spec.cost}; the default is 1 (or unset)`);
  }
});

Then('every Link has cost {int}', async function (this: ConformanceWorld, cost: number) {
  const o = await this.observeSettled();
  assert.ok(o.links.length > 0, 'the site has no Link');
  for (const link of o.links) assert.equal(link.spec.cost, cost, `Link "${link.metadata.name}" has cost ${link.spec.cost}, expected ${cost}`);
});

Then('the Secret and every Link are owned by the site', async function (this: ConformanceWorld) {
  const o = await this.observeSettled();
  const owned = [...o.secrets, ...o.links];
  assert.ok(owned.length > 1, 'nothing was created');
  for (const r of owned) {
    const refs = r.metadata.ownerReferences ?? [];
    assert.ok(
      refs.some((ref) => ref.kind === 'Site' && ref.name === this.site.name && ref.uid === this.site.uid && ref.apiVersion === SKUPPER_API_VERSION),
      `${r.kind} "${r.metadata.name}" is not owned by Site "${this.site.name}" (owner references: ${JSON.stringify(refs)})`,
    );
  }
});
