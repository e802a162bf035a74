// Faults of the mock grant service, as a scenario asks for them.
import { After, Given, When } from '@cucumber/cucumber';
import { SKUPPER_API_VERSION } from '../model/resources.ts';
import type { ConformanceWorld } from './support/world.ts';

Given('the grant service answers every request with status {int}', function (this: ConformanceWorld, status: number) {
  this.service.failWith(status);
});

Given('the grant service answers every request with status {int} and body {string}', function (this: ConformanceWorld, status: number, body: string) {
  this.service.failWith(status, body);
});

Given('the grant service never answers', function (this: ConformanceWorld) {
  this.service.neverAnswer();
});

Given('the grant service resets the connection', function (this: ConformanceWorld) {
  this.service.resetConnection();
});

Given('the grant service answers after {int} ms', function (this: ConformanceWorld, ms: number) {
  this.service.answerSlowly(ms);
});

Given('the grant service answers with an empty body', function (this: ConformanceWorld) {
  this.service.respondWithBody('');
});

Given('the grant service answers with a malformed body', function (this: ConformanceWorld) {
  this.service.respondWithBody('---\napiVersion: v1\nkind: Secret\nmetadata: {name: [unclosed\n  data: :::\n');
});

Given('the grant service answers with the body {string}', function (this: ConformanceWorld, body: string) {
  this.service.respondWithBody(body);
});

Given('the grant service answers with the Secret and no Link', function (this: ConformanceWorld) {
  this.service.respondWithSecretOnly();
});

Given('the grant service appends a broken document to its answer', function (this: ConformanceWorld) {
  this.service.appendToResponse('---\nkind: Link\nmetadata: {name: [broken\n---\napiVersion: skupper.io/v2alpha1\nkind: Link\nmetadata:\n  name: after-the-break\nspec:\n  endpoints: []\n');
});

Given('the grant service appends a Link named {string} to its answer', function (this: ConformanceWorld, name: string) {
  const grant = this.requireGrant();
  const token = this.token();
  this.service.appendDocuments([
    {
      apiVersion: SKUPPER_API_VERSION,
      kind: 'Link',
      metadata: { name },
      spec: { endpoints: grant.record.endpoints.filter((e) => e.name === 'inter-router'), tlsCredentials: token.metadata.name },
    },
  ]);
});

Given('the grant service names its answer {string}', function (this: ConformanceWorld, name: string) {
  this.service.nameAnswer(name);
});

Given('the grant service redirects to another grant service with status {int}', async function (this: ConformanceWorld, status: number) {
  const { ForeignGrantService } = await import('../simulator/grant-service/foreign-service.ts');
  const other = await ForeignGrantService.start(this.service.pki);
  this.otherService = other;
  this.service.redirectTo(`${other.url}/${this.requireGrant().uid}`, status);
});

When('the grant service recovers', function (this: ConformanceWorld) {
  this.service.recover();
});

Given('one second has passed', async function () {
  // lastTransitionTime has second precision: a change within the same second could not be seen
  await new Promise((r) => setTimeout(r, 1_050));
});

After(async function (this: ConformanceWorld) {
  await this.otherService?.stop();
});
