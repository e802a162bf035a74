// What a grant service under test publishes in an AccessGrant's status (features/grant-issuance.feature,
// beyond AT-ISSUE-001 in access-grants.steps.ts): the code, the URL's form, the conditions and the Error
// status. The judgements are in steps/judging/grant-issuance.ts.
import { Given, Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  judgeErrorStatus,
  judgeGeneratedCodes,
  judgeReadyConditions,
  judgeSpecCode,
  judgeUrlForm,
  waitForJudgement,
} from './judging/grant-issuance.ts';
import type { ConformanceWorld } from './support/world.ts';

function check(problem: string | undefined): void {
  if (problem) assert.fail(problem);
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A code for spec.code: 32 alphanumerics, unlike any a grant service would generate by itself. */
function specCode(): string {
  return Array.from(randomBytes(32), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** The spec.code the scenario gave the grant. */
function codeSpecSet(world: ConformanceWorld): string {
  const name = world.issuing.name();
  const code = world.issuing.applied.get(name)?.spec.code;
  if (!code) throw new Error(`the scenario set no spec.code on "${name}": add "Given an AccessGrant "${name}" whose spec sets a code"`);
  return code;
}

Given('an AccessGrant {string} whose spec sets a code', async function (this: ConformanceWorld, name: string) {
  await this.issuing.apply(name, { code: specCode() });
});

Given('an AccessGrant {string} whose spec has an empty code', async function (this: ConformanceWorld, name: string) {
  await this.issuing.apply(name, { code: '' });
});

Given('an AccessGrant {string} whose expirationWindow is the invalid duration {string}', async function (this: ConformanceWorld, name: string, window: string) {
  await this.issuing.apply(name, { expirationWindow: window });
});

Then("the grant's status.code is the code its spec set", async function (this: ConformanceWorld) {
  const code = codeSpecSet(this);
  check(judgeSpecCode(await this.issuing.waitForIssued(), code));
});

When('the grant is redeemed with the code its spec set', async function (this: ConformanceWorld) {
  await this.issuing.redeem(undefined, { code: codeSpecSet(this) });
});

Then('the grants {string} and {string} have generated codes that differ', async function (this: ConformanceWorld, first: string, second: string) {
  const grants = [];
  for (const name of [first, second]) grants.push({ name, grant: await this.issuing.waitForIssued(name) });
  check(judgeGeneratedCodes(grants));
});

Then("the grant's status.url is an https URL whose path is the grant's metadata.uid", async function (this: ConformanceWorld) {
  check(judgeUrlForm(await this.issuing.waitForIssued()));
});

Then("the grant's Processed, Resolved and Ready conditions become True and its status.status Ready", async function (this: ConformanceWorld) {
  const name = (await this.issuing.waitForIssued()).metadata.name;
  check(await waitForJudgement(() => this.issuing.observed(name), judgeReadyConditions, this.params.settleTimeoutMs));
});

Then("the grant's status.status becomes Error with a message naming {string}", async function (this: ConformanceWorld, value: string) {
  const name = this.issuing.name();
  check(await waitForJudgement(() => this.issuing.observed(name), (grant) => judgeErrorStatus(grant, value), this.params.settleTimeoutMs));
});
