// What became of the token: its outcome, its status and its Redeemed condition.
import { Then } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { describeOutcome, ensure, namesVerificationFailure, statusMessage } from './judging/judgements.ts';
import { judgeStoredSize } from './judging/hostile-answers.ts';
import type { Check, Settled } from './judging/settle.ts';
import { findCondition, REDEEMED } from '../model/conditions.ts';
import { formatValidationErrors, toYaml, type AccessToken, type Condition, validateAccessToken } from '../model/resources.ts';
import type { ConformanceWorld, SettledQuery } from './support/world.ts';

const isRedeemed: Check = (settled) =>
  assert.ok(settled.outcome === 'redeemed', `expected AccessToken "${settled.token.metadata.name}" to be redeemed, but ${describeOutcome(settled)}`);

const isFailed: Check = (settled) =>
  assert.ok(settled.outcome === 'failed', `expected AccessToken "${settled.token.metadata.name}" to fail, but ${describeOutcome(settled)}`);

function expectRedeemed(world: ConformanceWorld, name?: string): Promise<Settled> {
  return world.settledAs(isRedeemed, { name });
}

/** The token failed, and `also` accepts it. */
function expectFailed(world: ConformanceWorld, also: Check = () => {}, query: SettledQuery = {}): Promise<Settled> {
  return world.settledAs((settled) => {
    isFailed(settled);
    also(settled);
  }, query);
}

/** The token's Redeemed condition; fails the step when there is none. */
function redeemedCondition(token: AccessToken): Condition {
  const condition = findCondition(token, REDEEMED);
  ensure(condition, () => `expected a Redeemed condition; the status is:\n${toYaml(token.status ?? null)}`);
  return condition;
}

/** A condition in words, for failure messages: `False, reason "Error", message "…"`. */
function inWords(c: Pick<Condition, 'status' | 'reason' | 'message'>): string {
  return `${c.status}, reason ${JSON.stringify(c.reason)}, message ${JSON.stringify(c.message)}`;
}

/** Fails unless the condition's status is `status`. */
function conditionStatusIs(c: Condition, status: string): void {
  assert.equal(c.status, status, `expected the Redeemed condition to be ${status}, but it is ${inWords(c)}`);
}

/** Judges the token's Redeemed condition with `check`, and records it as the condition this step looked at. */
async function expectCondition(world: ConformanceWorld, check: (condition: Condition, token: AccessToken) => void): Promise<Condition> {
  const { token } = await world.settledAs(({ token }) => check(redeemedCondition(token), token));
  const condition = redeemedCondition(token);
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
  await expectFailed(this, undefined, { timeoutMs: seconds * 1000 });
});

Then('the token settles within {int} seconds', async function (this: ConformanceWorld, seconds: number) {
  // redeemed or failed, either will do: what matters is that it ends
  await this.settled({ timeoutMs: seconds * 1000 });
});

Then('the AccessToken is small enough for an API server to store', async function (this: ConformanceWorld) {
  await this.settledAs(({ token }) => {
    const failure = judgeStoredSize(token);
    assert.ok(!failure, failure);
  });
});

function messageContains(text: string, whose = 'the message'): Check {
  return ({ token }) => assert.ok(statusMessage(token).includes(text), `expected ${whose} to contain "${text}", but it is "${statusMessage(token)}"`);
}

Then('the token fails with a message containing {string}', async function (this: ConformanceWorld, text: string) {
  await expectFailed(this, messageContains(text));
});

Then('the token {string} fails with a message containing {string}', async function (this: ConformanceWorld, name: string, text: string) {
  await expectFailed(this, messageContains(text, `the message of "${name}"`), { name });
});

Then('the token fails with the message {string}', async function (this: ConformanceWorld, text: string) {
  await expectFailed(this, ({ token }) => assert.equal(statusMessage(token), text, `expected the message "${text}", but it is "${statusMessage(token)}"`));
});

Then('the token fails with a message naming a certificate verification failure', async function (this: ConformanceWorld) {
  await expectFailed(this, ({ token }) => {
    const message = statusMessage(token);
    assert.ok(namesVerificationFailure(message), `expected the message to name a certificate verification failure, but it is "${message}"`);
  });
});

Then("the token's Redeemed condition is {string}", async function (this: ConformanceWorld, status: string) {
  await expectCondition(this, (c) => conditionStatusIs(c, status));
});

Then("the token's Redeemed condition is {string} with a message", async function (this: ConformanceWorld, status: string) {
  await expectCondition(this, (c) => {
    conditionStatusIs(c, status);
    assert.ok(c.message?.trim(), `expected the condition's message to say why, but it is ${JSON.stringify(c.message)}`);
  });
});

Then("the token's Redeemed condition is {string} with a message containing {string}", async function (this: ConformanceWorld, status: string, text: string) {
  await expectCondition(this, (c) => {
    conditionStatusIs(c, status);
    assert.ok(c.message?.includes(text), `expected the condition's message to contain "${text}", but it is ${JSON.stringify(c.message)}`);
  });
});

Then("the token's Redeemed condition is {string} with reason {string} and message {string}", async function (
  this: ConformanceWorld, status: string, reason: string, message: string,
) {
  await expectCondition(this, (c) =>
    assert.deepEqual(
      { status: c.status, reason: c.reason, message: c.message },
      { status, reason, message },
      `expected the Redeemed condition to be ${inWords({ status: status as Condition['status'], reason, message })}, but it is ${inWords(c)}`,
    ),
  );
});

Then("the token's Redeemed condition is {string} with reason {string} and a message containing {string}", async function (
  this: ConformanceWorld, status: string, reason: string, text: string,
) {
  await expectCondition(this, (c) => {
    assert.deepEqual({ status: c.status, reason: c.reason }, { status, reason }, `expected the Redeemed condition to be ${status} with reason ${JSON.stringify(reason)}, but it is ${inWords(c)}`);
    assert.ok(c.message.includes(text), `expected the condition's message to contain "${text}", but it is "${c.message}"`);
  });
});

Then("the token's status is {string} with message {string}", async function (this: ConformanceWorld, status: string, message: string) {
  await this.settledAs(({ token }) =>
    assert.deepEqual(
      { status: token.status?.status, message: token.status?.message },
      { status, message },
      `expected status.status ${JSON.stringify(status)} with message ${JSON.stringify(message)}, but they are ${JSON.stringify(token.status?.status)} and ${JSON.stringify(token.status?.message)}`,
    ),
  );
});

Then("the token's status is {string} with the condition's message", async function (this: ConformanceWorld, status: string) {
  await expectCondition(this, (c, token) =>
    assert.deepEqual(
      { status: token.status?.status, message: token.status?.message },
      { status, message: c.message },
      `expected status.status ${JSON.stringify(status)} with the condition's message ${JSON.stringify(c.message)}, but they are ${JSON.stringify(token.status?.status)} and ${JSON.stringify(token.status?.message)}`,
    ),
  );
});

Then("the token's status.redeemed is true", async function (this: ConformanceWorld) {
  await this.settledAs(({ token }) => assert.equal(token.status?.redeemed, true, `expected status.redeemed to be true, but it is ${JSON.stringify(token.status?.redeemed)}`));
});

Then("the token's status.redeemed is not true", async function (this: ConformanceWorld) {
  await this.settledAs(({ token }) => assert.notEqual(token.status?.redeemed, true, 'expected status.redeemed to be false or absent, but it is true'));
});

Then("the condition's lastTransitionTime has not changed", async function (this: ConformanceWorld) {
  // the condition the step before the last one looked at (read before this step records its own)
  const before = this.previousCondition;
  assert.ok(before, 'no earlier condition was recorded');
  await expectCondition(this, (now) =>
    assert.equal(now.lastTransitionTime, before.lastTransitionTime, `the status stayed "${now.status}" but lastTransitionTime moved from ${before.lastTransitionTime} to ${now.lastTransitionTime}`),
  );
});

Then("the condition's observedGeneration is the token's metadata.generation", async function (this: ConformanceWorld) {
  await expectCondition(this, (c, token) => {
    assert.ok(token.metadata.generation !== undefined, 'the implementation reports no metadata.generation');
    assert.equal(c.observedGeneration, token.metadata.generation, `observedGeneration is ${c.observedGeneration}, metadata.generation is ${token.metadata.generation}`);
  });
});

Then('the token is valid under the AccessToken CRD', async function (this: ConformanceWorld) {
  await this.settledAs(({ token }) => {
    const errors = validateAccessToken(token);
    assert.equal(errors.length, 0, `the AccessToken breaks the CRD's schema: ${formatValidationErrors(errors)}`);
  });
});

Then("the token's only condition is {string}", async function (this: ConformanceWorld, type: string) {
  await this.settledAs(({ token }) => {
    const types = (token.status?.conditions ?? []).map((c) => c.type);
    assert.deepEqual(types, [type], `expected the only condition to be ${JSON.stringify(type)}, but the conditions are ${JSON.stringify(types)}`);
  });
});
