// Faults of the mock grant service, as a scenario asks for them.
import { After, Given, When } from './support/cucumber.ts';
import { SKUPPER_API_VERSION } from '../model/resources.ts';
import { ForeignGrantService } from '../simulator/grant-service/foreign-service.ts';
import { FOREIGN_KINDS, foreignDocumentText, foreignOwnerReferences, isForeignKind, MiB } from '../simulator/grant-service/hostile.ts';
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

// the delay starts once the redemption is counted (as Skupper's grant server counts before it answers)
Given('the grant service counts the redemption, then answers after {int} ms', function (this: ConformanceWorld, ms: number) {
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

// Hostile and broken answers (features/hostile-answers.feature)

Given("the grant service puts its answer's documents in the neighbouring site's namespace", function (this: ConformanceWorld) {
  this.service.placeAnswerIn(this.requireNeighbour().namespace);
});

Given("the grant service puts its answer's documents in namespace {string}", function (this: ConformanceWorld, namespace: string) {
  this.service.placeAnswerIn(namespace);
});

Given('the grant service appends a document of kind {word} named {string} to its answer', function (this: ConformanceWorld, kind: string, name: string) {
  if (!isForeignKind(kind)) throw new Error(`no document of kind "${kind}" to append; one of ${FOREIGN_KINDS.join(', ')}`);
  this.service.appendToResponse(foreignDocumentText(kind, name));
});

Given("the grant service gives its answer's documents owner references of its own", function (this: ConformanceWorld) {
  this.service.ownAnswerBy(foreignOwnerReferences());
});

Given('the grant service cuts its answer off in the middle of the Secret, before the Content-Length it announced', function (this: ConformanceWorld) {
  this.service.cutOffAfter(undefined, 'content-length');
});

Given('the grant service cuts its answer off in the middle of the Secret, before the last chunk', function (this: ConformanceWorld) {
  this.service.cutOffAfter(undefined, 'chunked');
});

Given('the grant service stalls the TLS handshake', function (this: ConformanceWorld) {
  this.service.stallHandshake();
});

Given('the grant service sends the headers of its answer, then stalls', function (this: ConformanceWorld) {
  this.service.stallAfterHeaders();
});

Given('the grant service sends half of its answer, then stalls', function (this: ConformanceWorld) {
  this.service.stallMidBody();
});

Given("the grant service pads its answer's Secret to {int} MiB", function (this: ConformanceWorld, mib: number) {
  this.service.padSecret(mib * MiB);
});

Given('the grant service answers every request with status {int} and a body of {int} MiB', function (this: ConformanceWorld, status: number, mib: number) {
  this.service.failWith(status, `${'grant service trouble; '.repeat(Math.ceil((mib * MiB) / 23))}`.slice(0, mib * MiB));
});

After(async function (this: ConformanceWorld) {
  await this.otherService?.stop();
});
