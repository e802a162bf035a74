// What reached the grant service: the request log is the evidence of what an implementation sent.
import { Then } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import type { RecordedRequest } from '../simulator/grant-service/service.ts';
import type { ConformanceWorld } from './support/world.ts';

function summary(requests: RecordedRequest[]): string {
  if (requests.length === 0) return 'none';
  return requests.map((r) => `${r.method} ${r.endpoint} ${r.path} over ${r.tlsVersion ?? r.protocol} → ${'status' in r.answer ? r.answer.status : ''}`).join('; ');
}

async function settledRequests(world: ConformanceWorld): Promise<RecordedRequest[]> {
  await world.observeSettled();
  return world.service.requests();
}

function lastRequest(world: ConformanceWorld): RecordedRequest {
  const requests = world.service.requests({ grant: world.requireGrant() });
  assert.ok(requests.length > 0, 'no request reached the grant service');
  return requests[requests.length - 1];
}

Then('no request reached the grant service', async function (this: ConformanceWorld) {
  const requests = await settledRequests(this);
  assert.equal(requests.length, 0, `expected no request to reach the grant service, but it received: ${summary(requests)}`);
});

Then('the grant service received {int} request(s)', async function (this: ConformanceWorld, count: number) {
  const requests = await settledRequests(this);
  assert.equal(requests.length, count, `expected ${count} request(s), but the grant service received ${requests.length}: ${summary(requests)}`);
});

Then('the grant service received {int} request(s) over {word}', async function (this: ConformanceWorld, count: number, version: string) {
  const requests = await settledRequests(this);
  assert.equal(requests.length, count, `expected ${count} request(s), got: ${summary(requests)}`);
  for (const r of requests) assert.equal(r.tlsVersion, version, `a request came over ${r.tlsVersion ?? r.protocol}`);
});

Then("the grant's redemption count is {int}", async function (this: ConformanceWorld, count: number) {
  await this.observeSettled();
  assert.equal(this.requireGrant().redemptions, count, `the grant was redeemed ${this.requireGrant().redemptions} time(s), expected ${count}`);
});

Then("the request was a POST to the grant's path", function (this: ConformanceWorld) {
  const r = lastRequest(this);
  assert.equal(r.method, 'POST');
  assert.equal(r.path, `/${this.requireGrant().uid}`);
});

Then("the request body was exactly the grant's code", function (this: ConformanceWorld) {
  const r = lastRequest(this);
  const code = this.requireGrant().code;
  // never print either: the assertion says how they differ without showing them
  assert.ok(r.body === code, `the body (${Buffer.byteLength(r.body)} bytes) is not the grant's code (${Buffer.byteLength(code)} bytes)${r.body.trim() === code.trim() ? ': they differ in surrounding whitespace' : ''}`);
});

Then('the request header {string} was the token\'s name', function (this: ConformanceWorld, header: string) {
  assert.equal(lastRequest(this).headers[header.toLowerCase()], this.token().metadata.name);
});

Then('the request header {string} was the site\'s uid', function (this: ConformanceWorld, header: string) {
  assert.equal(lastRequest(this).headers[header.toLowerCase()], this.site.uid, `expected header "${header}" to be the site's uid ${this.site.uid}`);
});

Then('the other grant service received no request', async function (this: ConformanceWorld) {
  await this.observeSettled();
  assert.ok(this.otherService, 'the scenario set up no other grant service');
  const seen = await this.otherService.requests();
  assert.equal(seen.length, 0, `the redirect was followed: the other grant service received ${seen.length} request(s)`);
});
