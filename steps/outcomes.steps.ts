// What became of the token: its outcome, its status and its Redeemed condition.
import { Then } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { describeOutcome, ensure, namesVerificationFailure, statusMessage } from './judging/judgements.ts';
import { judgeStoredSize } from './judging/hostile-answers.ts';
import { findCondition, REDEEMED } from '../model/conditions.ts';
import { formatValidationErrors, toYaml, validateAccessToken, type Condition } from '../model/resources.ts';
import type { ConformanceWorld } from './support/world.ts';

async function expectRedeemed(world: ConformanceWorld, name?: string) {
  const settled = await world.settled(name);
  assert.ok(settled.outcome === 'redeemed', `expected AccessToken "${settled.token.metadata.name}" to be redeemed, but ${describeOutcome(settled)}`);
  return settled;
}

async function expectFailed(world: ConformanceWorld, name?: string, timeoutMs?: number) {
  const settled = await world.settled(name, timeoutMs);
  assert.ok(settled.outcome === 'failed', `expected AccessToken "${settled.token.metadata.name}" to fail, but ${describeOutcome(settled)}`);
  return settled;
}

function redeemedCondition(world: ConformanceWorld, token: Parameters<typeof findCondition>[0]): Condition {
  const condition = findCondition(token, REDEEMED);
  ensure(condition, () => `expected a Redeemed condition; the status is:\n${toYaml(token.status ?? null)}`);
  world.lastCondition = { ...condition };
  return condition;
}

Then('the token is redeemed', async function (this: ConformanceWorld) {
  await expectRedeemed(this);
});

Then('the token {string} is redeemed', async function (this: ConformanceWorld, name: string) {
  await expectRedeemed(this, name);
});

Then('the token is still redeemed', async function (this: ConformanceWorld) {
  await expectRedeemed(this);
});

Then('the token fails', async function (this: ConformanceWorld) {
  await expectFailed(this);
});

Then('the token fails within {int} seconds', async function (this: ConformanceWorld, seconds: number) {
  await expectFailed(this, undefined, seconds * 1000);
});

Then('the token settles within {int} seconds', async function (this: ConformanceWorld, seconds: number) {
  // redeemed or failed, either will do: what matters is that it ends
  await this.settled(undefined, seconds * 1000);
});

Then('the AccessToken is small enough for an API server to store', async function (this: ConformanceWorld) {
  const failure = judgeStoredSize((await this.settled()).token);
  assert.ok(!failure, failure);
});

Then('the token fails with a message containing {string}', async function (this: ConformanceWorld, text: string) {
  const settled = await expectFailed(this);
  assert.ok(statusMessage(settled.token).includes(text), `expected the message to contain "${text}", but it is "${statusMessage(settled.token)}"`);
});

Then('the token {string} fails with a message containing {string}', async function (this: ConformanceWorld, name: string, text: string) {
  const settled = await expectFailed(this, name);
  assert.ok(statusMessage(settled.token).includes(text), `expected the message of "${name}" to contain "${text}", but it is "${statusMessage(settled.token)}"`);
});

Then('the token fails with the message {string}', async function (this: ConformanceWorld, text: string) {
  const settled = await expectFailed(this);
  assert.equal(statusMessage(settled.token), text, `expected the message "${text}", but it is "${statusMessage(settled.token)}"`);
});

Then('the token fails with a message naming a certificate verification failure', async function (this: ConformanceWorld) {
  const settled = await expectFailed(this);
  const message = statusMessage(settled.token);
  assert.ok(namesVerificationFailure(message), `expected the message to name a certificate verification failure, but it is "${message}"`);
});

Then("the token's Redeemed condition is {string}", async function (this: ConformanceWorld, status: string) {
  const { token } = await this.settled();
  assert.equal(redeemedCondition(this, token).status, status);
});

Then("the token's Redeemed condition is {string} with a message", async function (this: ConformanceWorld, status: string) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.equal(c.status, status);
  assert.ok(c.message?.trim(), `expected the condition's message to say why, but it is ${JSON.stringify(c.message)}`);
});

Then("the token's Redeemed condition is {string} with a message containing {string}", async function (this: ConformanceWorld, status: string, text: string) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.equal(c.status, status);
  assert.ok(c.message?.includes(text), `expected the condition's message to contain "${text}", but it is ${JSON.stringify(c.message)}`);
});

Then("the token's Redeemed condition is {string} with reason {string} and message {string}", async function (
  this: ConformanceWorld, status: string, reason: string, message: string,
) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.deepEqual({ status: c.status, reason: c.reason, message: c.message }, { status, reason, message });
});

Then("the token's Redeemed condition is {string} with reason {string} and a message containing {string}", async function (
  this: ConformanceWorld, status: string, reason: string, text: string,
) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.deepEqual({ status: c.status, reason: c.reason }, { status, reason });
  assert.ok(c.message.includes(text), `expected the condition's message to contain "${text}", but it is "${c.message}"`);
});

Then("the token's status is {string} with message {string}", async function (this: ConformanceWorld, status: string, message: string) {
  const { token } = await this.settled();
  assert.deepEqual({ status: token.status?.status, message: token.status?.message }, { status, message });
});

Then("the token's status is {string} with the condition's message", async function (this: ConformanceWorld, status: string) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.deepEqual({ status: token.status?.status, message: token.status?.message }, { status, message: c.message });
});

Then("the token's status.redeemed is true", async function (this: ConformanceWorld) {
  const { token } = await this.settled();
  assert.equal(token.status?.redeemed, true, `expected status.redeemed to be true, but it is ${JSON.stringify(token.status?.redeemed)}`);
});

Then("the token's status.redeemed is not true", async function (this: ConformanceWorld) {
  const { token } = await this.settled();
  assert.notEqual(token.status?.redeemed, true, 'expected status.redeemed to be false or absent, but it is true');
});

Then("the condition's lastTransitionTime has not changed", async function (this: ConformanceWorld) {
  const before = this.previousCondition;
  const { token } = await this.settled();
  const now = redeemedCondition(this, token);
  assert.ok(before, 'no earlier condition was recorded');
  assert.equal(now.lastTransitionTime, before.lastTransitionTime, `the status stayed "${now.status}" but lastTransitionTime moved from ${before.lastTransitionTime} to ${now.lastTransitionTime}`);
});

Then("the condition's observedGeneration is the token's metadata.generation", async function (this: ConformanceWorld) {
  const { token } = await this.settled();
  const c = redeemedCondition(this, token);
  assert.ok(token.metadata.generation !== undefined, 'the implementation reports no metadata.generation');
  assert.equal(c.observedGeneration, token.metadata.generation, `observedGeneration is ${c.observedGeneration}, metadata.generation is ${token.metadata.generation}`);
});

Then('the token is valid under the AccessToken CRD', async function (this: ConformanceWorld) {
  const { token } = await this.settled();
  const errors = validateAccessToken(token);
  assert.equal(errors.length, 0, `the AccessToken breaks the CRD's schema: ${formatValidationErrors(errors)}`);
});

Then("the token's only condition is {string}", async function (this: ConformanceWorld, type: string) {
  const { token } = await this.settled();
  assert.deepEqual((token.status?.conditions ?? []).map((c) => c.type), [type]);
});
