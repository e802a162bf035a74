// The grant service under test (`--side grant-service`): AccessGrants applied to it, redeemed by the
// suite as a redeeming site would, and its status read back. The logic is in support/issuing.ts.
import { Given, Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import type { ConformanceWorld } from './support/world.ts';

Given('an AccessGrant {string}', async function (this: ConformanceWorld, name: string) {
  await this.issuing.apply(name);
});

Given('an AccessGrant {string} allowing {int} redemption(s)', async function (this: ConformanceWorld, name: string, allowed: number) {
  await this.issuing.apply(name, { redemptionsAllowed: allowed });
});

When('the grant is redeemed', async function (this: ConformanceWorld) {
  await this.issuing.redeem();
});

When('the grant is redeemed {int} times in turn', async function (this: ConformanceWorld, times: number) {
  for (let i = 0; i < times; i++) await this.issuing.redeem();
});

Then('the grant service issues the grant: its status carries url, code and ca', async function (this: ConformanceWorld) {
  const grant = await this.issuing.waitForIssued();
  assert.match(grant.status.url, /^https:\/\//, `status.url ${grant.status.url} is not an https URL`);
  assert.match(grant.status.ca, /-----BEGIN CERTIFICATE-----/, 'status.ca holds no PEM certificate');
});

Then('the redemption is answered {int}', function (this: ConformanceWorld, status: number) {
  const last = this.issuing.lastExchange();
  assert.equal(last.status, status, `expected ${status}, the grant service answered ${last.status ?? last.error}`);
});
