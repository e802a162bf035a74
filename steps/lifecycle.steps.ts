// A token's life after its redemption, and beside other sites (features/lifecycle.feature): deleting the
// token, the same token name in a second site.
import { Given, Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { describeOutcome, linkNames, describeObservation, ensure } from './judging/judgements.ts';
import { judgeLeftInPlace } from './judging/lifecycle.ts';
import type { ConformanceWorld } from './support/world.ts';

When('the token is deleted', async function (this: ConformanceWorld) {
  await this.deleteToken();
});

Then('the site still has the Secret and the Links it had before the token was deleted', async function (this: ConformanceWorld) {
  const before = this.beforeDeletion;
  assert.ok(before, 'no token was deleted: add "When the token is deleted"');
  const failure = judgeLeftInPlace(before, await this.observeSettled(), this.token().metadata.name);
  if (failure) assert.fail(failure);
});

Given('a second site', async function (this: ConformanceWorld) {
  await this.addSecondSite();
});

When('the token is applied in the second site', async function (this: ConformanceWorld) {
  await this.applyIn([this.requireSecondSite()]);
});

When('the token is applied in both sites at once', async function (this: ConformanceWorld) {
  await this.applyIn([this.site, this.requireSecondSite()]);
});

Then('the token is redeemed in the second site', async function (this: ConformanceWorld) {
  await this.settledAs(
    (settled) => assert.ok(settled.outcome === 'redeemed', `expected AccessToken "${settled.token.metadata.name}" of the second site to be redeemed, but ${describeOutcome(settled)}`),
    { site: this.requireSecondSite() },
  );
});

Then('the second site has a Link named {string}', async function (this: ConformanceWorld, name: string) {
  const o = await this.observeSecondSiteSettled();
  ensure(linkNames(o).includes(name), () => `expected a Link "${name}" in the second site, but it has:\n${describeObservation(o)}`);
});
