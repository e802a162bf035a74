// What a grant service under test answers a redemption with (features/grant-answer.feature): the Secret,
// its certificate and the Links, judged by steps/judging/grant-answers.ts against the issuing site's
// endpoints. "The answer" is the last redemption's.
import { Given, Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { answerDocuments, issuingEndpoints, judgeLinkGroups, judgeLinkNames, judgeNamedAfter, judgeNoNamespace, judgeSecret, judgeSiteEndpoints, routerGroups } from './judging/grant-answers.ts';
import { judgeClientCertificate, judgeCommonName, judgeEndpointSans, leafCertificate, secretCredentials } from './judging/grant-certificates.ts';
import type { Endpoint } from '../model/resources.ts';
import type { ConformanceWorld } from './support/world.ts';

function check(problem: string | undefined): void {
  if (problem) assert.fail(problem);
}

/** The documents of the last redemption's answer (a 200 with a YAML stream, or the step fails saying what came instead). */
function answer(world: ConformanceWorld): unknown[] {
  return answerDocuments(world.issuing.lastExchange());
}

async function giveEndpoints(world: ConformanceWorld, endpoints: Endpoint[]): Promise<void> {
  await world.issuing.setEndpoints(endpoints);
  check(judgeSiteEndpoints(endpoints, world.issuing.site.endpoints));
}

Given('the issuing site has {int} endpoint group(s)', async function (this: ConformanceWorld, groups: number) {
  await giveEndpoints(this, issuingEndpoints(groups));
});

Given('the issuing site has {int} endpoint groups and an endpoint that is neither inter-router nor edge', async function (this: ConformanceWorld, groups: number) {
  await giveEndpoints(this, issuingEndpoints(groups, { otherRole: true }));
});

When('the grant is redeemed as a token named {string} for the subject {string}', async function (this: ConformanceWorld, name: string, subject: string) {
  await this.issuing.redeem(undefined, { headers: { name, subject } });
});

When('the grant is redeemed without name and subject headers', async function (this: ConformanceWorld) {
  await this.issuing.redeem(undefined, { headers: {} });
});

// (a "/" in a cucumber expression separates alternatives: escaped)
Then("the answer's first document is a kubernetes.io\\/tls Secret named {string} with tls.crt, tls.key and ca.crt", function (this: ConformanceWorld, name: string) {
  check(judgeSecret(answer(this), name));
});

Then("the answer's certificate chains to its ca.crt, matches its tls.key and is usable for client authentication", function (this: ConformanceWorld) {
  check(judgeClientCertificate(secretCredentials(answer(this))));
});

Then("the answer's certificate has the CommonName {string}", function (this: ConformanceWorld, subject: string) {
  check(judgeCommonName(leafCertificate(secretCredentials(answer(this))), subject));
});

Then("the answer's certificate carries a SAN for every endpoint host of the issuing site", function (this: ConformanceWorld) {
  check(judgeEndpointSans(leafCertificate(secretCredentials(answer(this))), this.issuing.site.endpoints));
});

Then(
  "the answer holds one Link per endpoint group of the issuing site, with the group's inter-router and edge endpoints and the Secret's name as tlsCredentials",
  function (this: ConformanceWorld) {
    check(judgeLinkGroups(answer(this), this.issuing.site.endpoints));
  },
);

Then("the answer's Links are named {names}", function (this: ConformanceWorld, names: string[]) {
  check(judgeLinkNames(answer(this), names));
});

Then('no document of the answer carries a metadata.namespace', function (this: ConformanceWorld) {
  check(judgeNoNamespace(answer(this)));
});

Then("the answer's Secret and Links are named {string}", function (this: ConformanceWorld, name: string) {
  check(judgeNamedAfter(answer(this), name, routerGroups(this.issuing.site.endpoints).size));
});
