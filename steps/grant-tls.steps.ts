// The grant service's transport (features/grant-tls.feature): a client offering only TLS 1.2, a plain-HTTP
// request to the grant's port, and the certificate served at the grant's URL. The probes and their
// judgements are in steps/judging/grant-tls.ts; each probe is kept among the scenario's exchanges.
import { Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import {
  inspectServedCertificate,
  judgeOldTls,
  judgePlainHttp,
  judgeServedCertificate,
  postOverTls12,
  postPlainHttp,
  type OldTlsOutcome,
  type PlainHttpOutcome,
} from './judging/grant-tls.ts';
import type { ConformanceWorld } from './support/world.ts';

/** What this scenario's probes saw (the World stays free of one domain's fields). */
const oldTls = new WeakMap<ConformanceWorld, OldTlsOutcome>();
const plainHttp = new WeakMap<ConformanceWorld, PlainHttpOutcome>();

function check(problem: string | undefined): void {
  if (problem) assert.fail(problem);
}

When('a client offering only TLS 1.2 redeems the grant', async function (this: ConformanceWorld) {
  const grant = await this.issuing.waitForIssued();
  const headers = { name: `token-${grant.metadata.name}`, subject: this.issuing.site.uid };
  const outcome = await postOverTls12({ url: new URL(grant.status.url), ca: grant.status.ca, code: grant.status.code, headers });
  oldTls.set(this, outcome);
  this.issuing.exchanges.push({
    grant: grant.metadata.name,
    method: 'POST',
    url: grant.status.url,
    headers,
    status: outcome.status,
    body: outcome.body,
    error: outcome.handshake === 'refused' ? `TLS 1.2 handshake refused: ${outcome.error}` : outcome.error,
    transport: outcome.handshake === 'completed' ? `TLS 1.2 only (the server agreed to ${outcome.protocol ?? 'TLS 1.2'})` : 'TLS 1.2 only',
  });
});

Then('the TLS 1.2 handshake is refused', function (this: ConformanceWorld) {
  const outcome = oldTls.get(this);
  if (!outcome) throw new Error('the scenario has sent no TLS 1.2 request: add "When a client offering only TLS 1.2 redeems the grant"');
  check(judgeOldTls(outcome));
});

When("the grant's code is posted over plain HTTP to the grant's port", async function (this: ConformanceWorld) {
  const grant = await this.issuing.waitForIssued();
  const headers = { name: `token-${grant.metadata.name}`, subject: this.issuing.site.uid };
  const outcome = await postPlainHttp({ url: new URL(grant.status.url), code: grant.status.code, headers });
  plainHttp.set(this, outcome);
  this.issuing.exchanges.push({
    grant: grant.metadata.name,
    method: 'POST',
    url: outcome.url,
    headers,
    status: outcome.status,
    body: outcome.body,
    error: outcome.error,
    transport: 'plain HTTP',
  });
});

Then('the plain-HTTP request is served no redemption', function (this: ConformanceWorld) {
  const outcome = plainHttp.get(this);
  if (!outcome) throw new Error('the scenario has sent no plain-HTTP request: add "When the grant\'s code is posted over plain HTTP to the grant\'s port"');
  check(judgePlainHttp(outcome));
});

Then("the certificate served at the grant's url chains to its status.ca and is valid for the url's host", async function (this: ConformanceWorld) {
  const grant = await this.issuing.waitForIssued();
  const url = new URL(grant.status.url);
  check(judgeServedCertificate(url, await inspectServedCertificate({ url, ca: grant.status.ca })));
});
