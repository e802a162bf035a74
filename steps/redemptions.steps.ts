// Redemptions at the grant service under test, the hostile ones included: other methods, unknown grants,
// wrong codes, deleted and expired grants, a grant's limit taken in turn and under a burst of concurrent
// redemptions, and the count and expiration time its status shows. The probes and judgements are in
// judging/grant-probes.ts; the grants and exchanges in support/issuing.ts.
import { Given, Then, When } from './support/cucumber.ts';
import assert from 'node:assert/strict';
import { parseGoDuration } from '../model/duration.ts';
import type { AccessGrant } from '../model/resources.ts';
import { burst, type BurstResult } from './judging/grant-burst.ts';
import { describeAnswer, judgeAnswer, judgeAtMost, judgeExactly, judgeRefused, PROBE_TIMEOUT_MS, type ProbeAnswer, type Round, sendRaw, unknownGrantUrl, wrongCode } from './judging/grant-probes.ts';
import { judgeExpirationTime, sampleWhile, waitForCount } from './judging/grant-status-watch.ts';
import type { Exchange } from './support/issuing.ts';
import type { ConformanceWorld } from './support/world.ts';

type IssuedGrant = AccessGrant & { status: { url: string; code: string; ca: string } };

/** What this module remembers of a scenario beyond the IssuingScenario: grants made in sets, bursts, deleted grants. */
interface RedemptionState {
  /** The grants of "Given N AccessGrants …", in order. */
  set: string[];
  rounds: Round[];
  /** Each grant's status.redemptions as sampled during and after its burst. */
  samples: Map<string, number[]>;
  /** The status a grant had before it was deleted: where and how it was redeemed. */
  deleted: Map<string, IssuedGrant>;
}
const states = new WeakMap<ConformanceWorld, RedemptionState>();
function state(world: ConformanceWorld): RedemptionState {
  let s = states.get(world);
  if (!s) states.set(world, (s = { set: [], rounds: [], samples: new Map(), deleted: new Map() }));
  return s;
}

/** The redeeming site's headers, as IssuingScenario.redeem sends them. */
function siteHeaders(world: ConformanceWorld, grant: AccessGrant): Record<string, string> {
  return { name: `token-${grant.metadata.name}`, subject: world.issuing.site.uid };
}

/** Keeps an answer among the scenario's exchanges (a 200's body is not kept: it holds a key). */
function record(world: ConformanceWorld, grant: string, method: string, url: string, headers: Record<string, string>, answer: ProbeAnswer): Exchange {
  const exchange: Exchange = { grant, method, url, headers, status: answer.status, ...(answer.status === 200 ? {} : { body: answer.body }), ...(answer.error ? { error: answer.error } : {}) };
  world.issuing.exchanges.push(exchange);
  return exchange;
}

/** A raw request to a grant (as issued) or to an unknown grant beside it, carrying `code`. */
async function probe(world: ConformanceWorld, grant: IssuedGrant, method: string, options: { code?: string; unknown?: boolean } = {}): Promise<Exchange> {
  const code = options.code ?? grant.status.code;
  const url = options.unknown ? unknownGrantUrl(grant.status.url) : grant.status.url;
  const headers = siteHeaders(world, grant);
  const answer = await sendRaw({ url, method, body: code, headers, ca: grant.status.ca, timeoutMs: PROBE_TIMEOUT_MS });
  return record(world, grant.metadata.name, method, url, headers, answer);
}

function check(failure: string | undefined): void {
  if (failure) assert.fail(failure);
}

function redemptionsOf(world: ConformanceWorld, name: string): () => Promise<number | undefined> {
  return async () => (await world.issuing.observed(name))?.status?.redemptions;
}

// ---------------------------------------------------------------------------------------------------
// Grants

Given('an AccessGrant {string} made with the defaults', async function (this: ConformanceWorld, name: string) {
  await this.issuing.apply(name, {});
});

Given('an AccessGrant {string} whose expirationWindow is {string}', async function (this: ConformanceWorld, name: string, window: string) {
  await this.issuing.apply(name, { expirationWindow: window });
  await this.issuing.waitForIssued(name);
});

Given(
  'an AccessGrant {string} allowing {int} redemption(s) whose expirationWindow is {string}',
  async function (this: ConformanceWorld, name: string, allowed: number, window: string) {
    await this.issuing.apply(name, { redemptionsAllowed: allowed, expirationWindow: window });
    await this.issuing.waitForIssued(name);
  },
);

Given('{int} AccessGrants {string} allowing {int} redemption(s) each', async function (this: ConformanceWorld, count: number, base: string, allowed: number) {
  const names = Array.from({ length: count }, (_, i) => `${base}-${i + 1}`);
  for (const name of names) await this.issuing.apply(name, { redemptionsAllowed: allowed });
  for (const name of names) await this.issuing.waitForIssued(name);
  state(this).set.push(...names);
});

// ---------------------------------------------------------------------------------------------------
// Requests

When('the grant is sent a {word} request carrying its code', async function (this: ConformanceWorld, method: string) {
  await probe(this, await this.issuing.waitForIssued(), method);
});

When("a {word} request carrying the grant's code is sent to an unknown grant's URL", async function (this: ConformanceWorld, method: string) {
  await probe(this, await this.issuing.waitForIssued(), method, { unknown: true });
});

When('the grant is redeemed with a wrong code: {string}', async function (this: ConformanceWorld, kind: string) {
  const grant = await this.issuing.waitForIssued();
  const code = wrongCode(kind, grant.status.code);
  // a wrong code made from the right one is as secret as the right one
  this.secrets.add(code);
  await probe(this, grant, 'POST', { code });
});

When('the grant is deleted', async function (this: ConformanceWorld) {
  const grant = await this.issuing.waitForIssued();
  state(this).deleted.set(grant.metadata.name, grant);
  await this.issuing.deleteGrant(grant.metadata.name);
  // the deletion has happened once the service no longer shows the grant
  const deadline = performance.now() + this.callTimeoutMs();
  while (await this.issuing.observed(grant.metadata.name)) {
    if (performance.now() >= deadline) assert.fail(`expected AccessGrant "${grant.metadata.name}" to be gone after deleteGrant(); the grant service still shows it after ${this.callTimeoutMs()} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
});

When('the deleted grant is redeemed with the code it had', async function (this: ConformanceWorld) {
  const name = this.issuing.name();
  const grant = state(this).deleted.get(name);
  if (!grant) throw new Error(`the scenario deleted no AccessGrant "${name}": add "When the grant is deleted"`);
  await probe(this, grant, 'POST');
});

When("the grant's expirationWindow has passed", async function (this: ConformanceWorld) {
  const name = this.issuing.name();
  const window = this.issuing.applied.get(name)?.spec.expirationWindow;
  if (!window) throw new Error(`AccessGrant "${name}" has no expirationWindow: make it with "whose expirationWindow is …"`);
  const windowMs = parseGoDuration(window);
  if (windowMs > 30_000) throw new Error(`a scenario waits out windows of 30 s at most, not ${window}`);
  await this.issuing.waitForIssued(name);
  // measured from when the grant was first seen issued, which is after it was first processed; a margin
  // for a time written in whole seconds and a request in the same second (Skupper accepts it)
  const until = this.issuing.firstIssued.get(name)! + windowMs + 1500;
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
});

When('each grant is sent {int} redemptions with its code at once', { timeout: 300_000 }, async function (this: ConformanceWorld, count: number) {
  await sendBursts(this, count, false);
});

When('each grant is sent {int} redemptions with its code at once, its status watched', { timeout: 300_000 }, async function (this: ConformanceWorld, count: number) {
  await sendBursts(this, count, true);
});

/** One burst per grant of the set, one after another: each a round the rules judge. */
async function sendBursts(world: ConformanceWorld, count: number, watch: boolean): Promise<void> {
  const s = state(world);
  if (s.set.length === 0) throw new Error('the scenario has no set of grants: add "Given N AccessGrants … each"');
  for (const name of s.set) {
    const grant = await world.issuing.waitForIssued(name);
    const headers = siteHeaders(world, grant);
    const task = burst({ url: grant.status.url, code: grant.status.code, ca: grant.status.ca, headers, count, timeoutMs: PROBE_TIMEOUT_MS });
    let result: BurstResult;
    if (watch) {
      const watched = await sampleWhile(task, redemptionsOf(world, name));
      result = watched.result;
      s.samples.set(name, watched.samples.map((n) => n ?? 0));
    } else {
      result = await task;
    }
    for (const answer of result.answers) record(world, name, 'POST', grant.status.url, headers, answer);
    s.rounds.push({ grant: name, allowed: grant.spec.redemptionsAllowed ?? 1, result });
  }
}

// ---------------------------------------------------------------------------------------------------
// Answers

Then('the grant service answered {int} {string}', function (this: ConformanceWorld, status: number, text: string) {
  const last = this.issuing.lastExchange();
  check(judgeAnswer(last, status, text, `the ${last.method} request`));
});

Then('the grant service did not answer 200', function (this: ConformanceWorld) {
  const last = this.issuing.lastExchange();
  check(judgeRefused(last, `the ${last.method} request`));
});

Then('every redemption so far was answered 200', function (this: ConformanceWorld) {
  const exchanges = this.issuing.exchanges;
  assert.ok(exchanges.length > 0, 'the scenario has redeemed nothing yet');
  const failures = exchanges.map((e, i) => ({ e, i })).filter(({ e }) => e.status !== 200);
  check(
    failures.length === 0
      ? undefined
      : `expected each of the ${exchanges.length} redemptions to be answered 200; ` +
          failures.map(({ e, i }) => `redemption ${i + 1} was answered ${describeAnswer(e)}`).join('; '),
  );
});

Then('no grant answered more than {int} of them with 200', function (this: ConformanceWorld, k: number) {
  const { rounds } = state(this);
  assert.ok(rounds.length > 0, 'the scenario sent no burst of redemptions');
  check(judgeAtMost(rounds.map((r) => ({ ...r, allowed: k }))));
});

Then('each grant answered exactly {int} of them with 200 and the others {int} {string}', function (this: ConformanceWorld, k: number, status: number, text: string) {
  const { rounds } = state(this);
  assert.ok(rounds.length > 0, 'the scenario sent no burst of redemptions');
  check(judgeExactly(rounds.map((r) => ({ ...r, allowed: k })), status, text));
});

// ---------------------------------------------------------------------------------------------------
// status.redemptions and status.expirationTime

Then("the grant's status counts {int} redemption(s)", async function (this: ConformanceWorld, n: number) {
  const name = this.issuing.name();
  await waitForCount(redemptionsOf(this, name), { atLeast: n, atMost: n, timeoutMs: this.params.settleTimeoutMs, quietMs: this.params.quietMs }, `status.redemptions of "${name}"`);
});

Then(
  "the grant's status counts at least {int} redemption(s), and never more than {int}",
  async function (this: ConformanceWorld, atLeast: number, atMost: number) {
    const name = this.issuing.name();
    await waitForCount(redemptionsOf(this, name), { atLeast, atMost, timeoutMs: this.params.settleTimeoutMs }, `status.redemptions of "${name}"`);
  },
);

Then("no grant's status ever showed more than {int} redemption(s)", async function (this: ConformanceWorld, k: number) {
  const s = state(this);
  assert.ok(s.samples.size > 0, 'the scenario watched no burst of redemptions');
  const over = [...s.samples].filter(([, samples]) => samples.some((n) => n > k));
  check(
    over.length === 0
      ? undefined
      : `expected status.redemptions never to show more than ${k} under concurrent redemptions; ` +
          over.map(([name, samples]) => `"${name}" showed up to ${Math.max(...samples)}`).join('; '),
  );
  // and once the quiet period has passed, when a late status write has landed
  await new Promise((r) => setTimeout(r, this.params.quietMs));
  for (const name of s.samples.keys()) {
    await waitForCount(redemptionsOf(this, name), { atLeast: 0, atMost: k, timeoutMs: 0 }, `status.redemptions of "${name}"`);
  }
});

Then("each grant's status comes to {int} redemption(s)", async function (this: ConformanceWorld, k: number) {
  const s = state(this);
  assert.ok(s.set.length > 0, 'the scenario has no set of grants');
  // one deadline for the set: the step stays within the settle timeout however many grants it has
  const deadline = performance.now() + this.params.settleTimeoutMs;
  await new Promise((r) => setTimeout(r, this.params.quietMs));
  for (const name of s.set) {
    const timeoutMs = Math.max(0, deadline - performance.now());
    await waitForCount(redemptionsOf(this, name), { atLeast: k, atMost: k, timeoutMs }, `status.redemptions of "${name}"`);
  }
});

Then("the grant's status.expirationTime is about {string} after the grant was first processed", async function (this: ConformanceWorld, window: string) {
  const grant = await this.issuing.waitForIssued();
  const name = grant.metadata.name;
  const from = this.issuing.firstApplied.get(name)!;
  const to = this.issuing.firstIssued.get(name)!;
  // 30 s either way: a service's clock may differ from the suite's; a window off by minutes is still caught
  check(judgeExpirationTime(grant.status.expirationTime, parseGoDuration(window), from, to, 30_000));
});
