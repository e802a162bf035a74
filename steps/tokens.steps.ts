// AccessTokens: how the scenario's tokens are written, and what is done with them.
import { Given, When } from './support/cucumber.ts';
import type { EndpointKind } from '../simulator/grant-service/service.ts';
import type { ConformanceWorld } from './support/world.ts';

const ENDPOINTS: EndpointKind[] = ['tls12-only', 'expired-certificate', 'wrong-host', 'other-ca'];

Given('an AccessToken {string} for the grant', function (this: ConformanceWorld, name: string) {
  this.addToken(this.requireGrant().accessToken(name));
});

Given('AccessTokens {names} for the grant', function (this: ConformanceWorld, names: string[]) {
  for (const name of names) this.addToken(this.requireGrant().accessToken(name));
});

Given("the token's ca is an unrelated CA", function (this: ConformanceWorld) {
  this.token().spec.ca = this.service.pki.unrelatedCa.certPem;
});

Given("the token's ca is empty", function (this: ConformanceWorld) {
  this.token().spec.ca = '';
});

Given("the token's ca is a garbage PEM", function (this: ConformanceWorld) {
  this.token().spec.ca = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
});

Given("the token's ca is a bundle of an unrelated CA and the grant's CA", function (this: ConformanceWorld) {
  const { pki } = this.service;
  this.token().spec.ca = `${pki.unrelatedCa.certPem}${pki.ca.certPem}`;
});

Given("the token's url points to the grant service's {word} endpoint", async function (this: ConformanceWorld, kind: string) {
  if (!ENDPOINTS.includes(kind as EndpointKind)) throw new Error(`no endpoint "${kind}"; one of ${ENDPOINTS.join(', ')}`);
  this.token().spec.url = await this.requireGrant().urlOn(kind as EndpointKind);
});

Given("the token's url uses plain http", async function (this: ConformanceWorld) {
  this.token().spec.url = await this.requireGrant().urlOn('plain-http');
});

Given("the token's url is {string}", function (this: ConformanceWorld, url: string) {
  this.token().spec.url = url;
});

Given("the token's code is not the grant's code", function (this: ConformanceWorld) {
  const token = this.token();
  token.spec.code = `${token.spec.code.slice(0, -4)}XXXX`;
  this.secrets.add(token.spec.code);
});

Given('the token has linkCost {int}', function (this: ConformanceWorld, cost: number) {
  this.token().spec.linkCost = cost;
});

Given('the token has the settings {names}', function (this: ConformanceWorld, pairs: string[]) {
  this.token().spec.settings = Object.fromEntries(pairs.map((p) => [p.split('=')[0], p.split('=').slice(1).join('=')]));
});

When('the token is applied', async function (this: ConformanceWorld) {
  await this.apply();
});

When('the token {string} is applied', async function (this: ConformanceWorld, name: string) {
  await this.apply(name);
});

When('the token is applied again', async function (this: ConformanceWorld) {
  await this.apply();
});

When('the token is applied again with linkCost {int}', async function (this: ConformanceWorld, cost: number) {
  this.token().spec.linkCost = cost;
  await this.apply();
});

When("the token is applied again with the grant's url", async function (this: ConformanceWorld) {
  this.token().spec.url = this.requireGrant().url;
  await this.apply();
});

When('the site is resynced', async function (this: ConformanceWorld) {
  await this.resync();
});

When('the site is deleted', async function (this: ConformanceWorld) {
  await this.deleteSite();
});
