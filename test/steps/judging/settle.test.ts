// Waiting for an implementation's outcome (steps/judging/settle.ts): settles on the first changed
// outcome, counts an unchanged one only after the quiet period, gives up at the deadline with what it
// last saw (redacted), survives a failing observe(), and wakes at a reported change instead of polling.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Implementation, Observation, Site } from '../../../adapters/contract.ts';
import { setRedeemed } from '../../../model/conditions.ts';
import { SKUPPER_API_VERSION, type AccessToken } from '../../../model/resources.ts';
import {
  observeAfterQuiet,
  SettleTimeoutError,
  statusFingerprint,
  waitForSettledToken,
} from '../../../steps/judging/settle.ts';
import { answering, bounded, NotAnsweringError, STOPPED_AFTER } from '../../../steps/support/bounded.ts';

const site: Site = { name: 'west', namespace: 'west', uid: 'uid-west' };

function token(name = 't1'): AccessToken {
  return {
    apiVersion: SKUPPER_API_VERSION,
    kind: 'AccessToken',
    metadata: { name, namespace: site.namespace },
    spec: { url: 'https://127.0.0.1:1/x', code: 'c0de', ca: 'CA' },
  };
}

/** An implementation whose token the test changes by hand; counts observe() calls. */
class HandDriven implements Implementation {
  name = 'hand-driven';
  tokens: AccessToken[] = [];
  observed = 0;
  failNext = 0;
  private waiters: (() => void)[] = [];
  async apply(t: AccessToken): Promise<void> {
    this.tokens.push(t);
  }
  async observe(): Promise<Observation> {
    this.observed++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('observe broke');
    }
    return { accessTokens: structuredClone(this.tokens), secrets: [], links: [] };
  }
  change(fn: (t: AccessToken) => void): void {
    fn(this.tokens[0]);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Only on the variant that reports changes. */
  reportingChanges(): this & Required<Pick<Implementation, 'waitForChange'>> {
    const self = this as this & Required<Pick<Implementation, 'waitForChange'>>;
    self.waitForChange = (_site, ms) =>
      new Promise<boolean>((done) => {
        const timer = setTimeout(() => done(false), ms);
        this.waiters.push(() => {
          clearTimeout(timer);
          done(true);
        });
      });
    return self;
  }
}

const later = (ms: number, fn: () => void) => setTimeout(fn, ms);

/**
 * Applies a token that already has a status (failed with `error`, or redeemed when undefined), as after an
 * earlier action; returns what the wait needs to tell an unchanged status: its fingerprint, and when.
 */
async function appliedWithStatus(impl: HandDriven, error: string | undefined): Promise<{ changedFrom: string; since: number }> {
  const t = token();
  setRedeemed(t, error, new Date());
  await impl.apply(t);
  return { changedFrom: statusFingerprint(t), since: performance.now() };
}

describe('waitForSettledToken', () => {
  test('returns the outcome once the status changes from what it was before the action', async () => {
    const impl = new HandDriven();
    await impl.apply(token());
    const before = statusFingerprint(impl.tokens[0]);
    later(30, () => impl.change((t) => setRedeemed(t, undefined, new Date())));
    const settled = await waitForSettledToken(impl, site, 't1', { timeoutMs: 2000, changedFrom: before, quietMs: 10_000 });
    assert.equal(settled.outcome, 'redeemed');
    assert.equal(settled.token.status?.status, 'Ready');
  });

  test('an unchanged settled status counts only once the quiet period has passed', async () => {
    const impl = new HandDriven();
    const { changedFrom, since } = await appliedWithStatus(impl, 'refused');
    const settled = await waitForSettledToken(impl, site, 't1', { timeoutMs: 2000, changedFrom, since, quietMs: 120 });
    assert.equal(settled.outcome, 'failed');
    assert.ok(performance.now() - since >= 118, 'it waited out the quiet period (timers may fire a fraction early)');
  });

  test('an unchanged status the step would not accept gets the reaction time to change, not just the quiet period', async () => {
    const impl = new HandDriven().reportingChanges();
    const { changedFrom, since } = await appliedWithStatus(impl, '503');
    // a busy controller: the retry the step waits for comes after the quiet period
    later(150, () => impl.change((x) => setRedeemed(x, undefined, new Date())));
    const wanted = (x: AccessToken) => x.status?.status === 'Ready';
    const settled = await waitForSettledToken(impl, site, 't1', { timeoutMs: 5000, changedFrom, since, quietMs: 40, reactionMs: 2000, wanted });
    assert.equal(settled.outcome, 'redeemed');
    assert.ok(performance.now() - since < 1500, 'it settled at the change, not at the end of the reaction time');
    assert.equal(settled.unchangedForMs, undefined, 'a changed status is no unchanged one');
  });

  test('an unchanged status the step would not accept counts once the reaction time has passed', async () => {
    const impl = new HandDriven();
    const { changedFrom, since } = await appliedWithStatus(impl, '503');
    const settled = await waitForSettledToken(impl, site, 't1', {
      timeoutMs: 5000, changedFrom, since, quietMs: 20, reactionMs: 150, wanted: () => false,
    });
    assert.equal(settled.outcome, 'failed');
    assert.ok(performance.now() - since >= 148, 'it waited out the reaction time (timers may fire a fraction early)');
    // the evidence a refusing step quotes: how long the status stayed as it was
    assert.ok(settled.unchangedForMs !== undefined && settled.unchangedForMs >= 148, `unchangedForMs ${settled.unchangedForMs}`);
  });

  test('an unchanged status the step accepts counts after the quiet period', async () => {
    const impl = new HandDriven().reportingChanges();
    const { changedFrom, since } = await appliedWithStatus(impl, undefined);
    const settled = await waitForSettledToken(impl, site, 't1', {
      timeoutMs: 5000, changedFrom, since, quietMs: 40, reactionMs: 3000, wanted: () => true,
    });
    assert.equal(settled.outcome, 'redeemed');
    const waited = performance.now() - since;
    assert.ok(waited >= 38 && waited < 1500, `it waited the quiet period only (${waited.toFixed(0)} ms)`);
  });

  test('gives up at the deadline with what it last observed, redacted', async () => {
    const impl = new HandDriven();
    await impl.apply(token());
    await assert.rejects(
      waitForSettledToken(impl, site, 't1', { timeoutMs: 80, redact: (s) => s.replaceAll('t1', '[name]') }),
      (e: unknown) => e instanceof SettleTimeoutError && /did not settle within 80 ms/.test(e.message) && /has no status/.test(e.message) && !e.message.includes('"t1"'),
    );
  });

  test('a token never observed is named as missing', async () => {
    const impl = new HandDriven();
    await assert.rejects(waitForSettledToken(impl, site, 'ghost', { timeoutMs: 50 }), /no AccessToken named "ghost" was observed/);
  });

  test('a failing observe() is retried; only the last failure is reported at the deadline', async () => {
    const impl = new HandDriven();
    await impl.apply(token());
    impl.failNext = 2;
    later(40, () => impl.change((t) => setRedeemed(t, undefined, new Date())));
    const settled = await waitForSettledToken(impl, site, 't1', { timeoutMs: 2000 });
    assert.equal(settled.outcome, 'redeemed');
    impl.failNext = 1_000_000;
    await assert.rejects(waitForSettledToken(impl, site, 't1', { timeoutMs: 60 }), /observe\(\) failed: observe broke/);
  });

  test('an implementation that reports changes is observed at each change, not polled', async () => {
    const impl = new HandDriven().reportingChanges();
    await impl.apply(token());
    const before = statusFingerprint(impl.tokens[0]);
    later(300, () => impl.change((t) => setRedeemed(t, undefined, new Date())));
    const settled = await waitForSettledToken(impl, site, 't1', { timeoutMs: 3000, changedFrom: before });
    assert.equal(settled.outcome, 'redeemed');
    // polling (2 ms doubling to 50 ms) would observe ~10 times in 300 ms; the 50 ms change-wait cap allows ~7
    assert.ok(impl.observed <= 8, `observed ${impl.observed} times`);
  });
});

describe('an implementation that stopped answering', () => {
  test('is not waited for: the wait ends at once, without observing', async (t) => {
    // three calls in a row timed out in this process (as in a worker)
    for (let i = 0; i < STOPPED_AFTER; i++) await bounded('apply()', 5, () => new Promise<never>(() => {})).catch(() => undefined);
    t.after(() => answering.reset());
    assert.equal(answering.stopped, true);
    const impl = new HandDriven();
    await impl.apply(token());
    const started = performance.now();
    await assert.rejects(waitForSettledToken(impl, site, 't1', { timeoutMs: 5_000 }), NotAnsweringError);
    await assert.rejects(observeAfterQuiet(impl, site, performance.now(), 0), NotAnsweringError);
    assert.ok(performance.now() - started < 1_000);
    assert.equal(impl.observed, 0);
  });
});

describe('observeAfterQuiet', () => {
  test('waits out what is left of the quiet period, then observes once', async () => {
    const impl = new HandDriven();
    await impl.apply(token());
    const since = performance.now();
    const observation = await observeAfterQuiet(impl, site, since, 60);
    // timers round to whole milliseconds and may fire a fraction early
    assert.ok(performance.now() - since >= 58, 'it waited out the quiet period');
    assert.equal(impl.observed, 1);
    assert.equal(observation.accessTokens.length, 1);
  });
});
