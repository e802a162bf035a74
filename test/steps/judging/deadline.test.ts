// The deadline every probe ends by (steps/judging/deadline.ts): the first outcome wins, whether the
// probe's own or the timed-out one; what the probe opened is closed exactly once, with that outcome,
// before the outcome is seen; a probe that finishes while it is still starting is closed once it returns.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../../../steps/judging/deadline.ts';

/** A probe's handle that records every close, and whether the outcome was already seen when it closed. */
function recorder<T>() {
  const closes: T[] = [];
  let seen = false;
  let closedBeforeSeen = true;
  return {
    closes,
    handle: {
      close(outcome: T) {
        closes.push(outcome);
        if (seen) closedBeforeSeen = false;
      },
    },
    see(outcome: T) {
      seen = true;
      return outcome;
    },
    get closedBeforeSeen() {
      return closedBeforeSeen;
    },
  };
}

/** A timed-out outcome that counts how often it was made. */
function counted(outcome: string) {
  const made = { count: 0 };
  return {
    made,
    timedOut: () => {
      made.count += 1;
      return outcome;
    },
  };
}

describe('withDeadline', () => {
  test("the probe's outcome, when it comes first: closed once with it, and the deadline never fires", async () => {
    const r = recorder<string>();
    const { made, timedOut } = counted('timed out');
    const outcome = await withDeadline(
      200,
      timedOut,
      (finish) => {
        setTimeout(() => {
          finish('answer');
          finish('a later answer');
        }, 5);
        return r.handle;
      },
    ).then(r.see);
    assert.equal(outcome, 'answer');
    assert.deepEqual(r.closes, ['answer']);
    assert.ok(r.closedBeforeSeen);
    await sleep(250);
    assert.equal(made.count, 0, 'the timer was cleared');
    assert.deepEqual(r.closes, ['answer']);
  });

  test('the timed-out outcome, when the deadline comes first: made when it fires, closed once with it, later outcomes ignored', async () => {
    const r = recorder<string>();
    let state = 'connecting';
    let late: ((outcome: string) => void) | undefined;
    const started = performance.now();
    const outcome = await withDeadline(
      50,
      () => `no answer while ${state}`,
      (finish) => {
        late = finish;
        setTimeout(() => (state = 'connected'), 5);
        return r.handle;
      },
    ).then(r.see);
    assert.equal(outcome, 'no answer while connected');
    assert.ok(performance.now() - started >= 45, 'not before the deadline');
    late?.('a late answer');
    assert.deepEqual(r.closes, ['no answer while connected']);
    assert.ok(r.closedBeforeSeen);
  });

  test('finish called synchronously inside run: closed once, after run returns, and no timer is started', async () => {
    const r = recorder<string>();
    const order: string[] = [];
    const { made, timedOut } = counted('timed out');
    const outcome = await withDeadline(
      20,
      timedOut,
      (finish) => {
        finish('at once');
        finish('again');
        order.push('run returns');
        return {
          close(o: string) {
            order.push('close');
            r.handle.close(o);
          },
        };
      },
    ).then(r.see);
    assert.equal(outcome, 'at once');
    assert.deepEqual(order, ['run returns', 'close']);
    assert.deepEqual(r.closes, ['at once']);
    assert.ok(r.closedBeforeSeen);
    await sleep(60);
    assert.equal(made.count, 0, 'no timer was started');
  });

  test('close runs exactly once even when closing sets off another finish', async () => {
    let closes = 0;
    let finishLater: ((outcome: string) => void) | undefined;
    const outcome = await withDeadline(
      200,
      () => 'timed out',
      (finish) => {
        finishLater = finish;
        setTimeout(() => finish('answer'), 5);
        return {
          close() {
            closes += 1;
            // as a destroyed socket reports its own error or close
            finishLater?.('closed');
          },
        };
      },
    );
    assert.equal(outcome, 'answer');
    assert.equal(closes, 1);
  });

  test('a run that throws rejects, and starts no timer', async () => {
    await assert.rejects(
      withDeadline(
        10,
        () => 'timed out',
        () => {
          throw new Error('bad options');
        },
      ),
      /bad options/,
    );
  });
});
