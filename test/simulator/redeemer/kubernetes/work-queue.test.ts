// The reference controller's keyed work queue (no API server needed): one handler per key at a time, a key
// added while queued is queued once, a key added while handled is handled once more afterwards, failures
// retried with a doubling delay up to a bound, and a shutdown that drops what waits and awaits what runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkQueue, type WorkQueueOptions } from '../../../../simulator/redeemer/kubernetes/work-queue.ts';

/** A promise opened from outside: what a handler waits on so the test decides when it ends. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A queue whose handler records each call and, for the keys given gates, waits on them. */
function recordingQueue(options: WorkQueueOptions = {}, gates: Record<string, Promise<void>> = {}) {
  const handled: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const runningKeys = new Set<string>();
  const queue = new WorkQueue(async (key) => {
    assert.ok(!runningKeys.has(key), `${key} handled twice at once`);
    runningKeys.add(key);
    mostAtOnce = Math.max(mostAtOnce, ++running);
    handled.push(key);
    try {
      await gates[key];
    } finally {
      running--;
      runningKeys.delete(key);
    }
  }, options);
  return { queue, handled, mostAtOnce: () => mostAtOnce };
}

describe('WorkQueue', () => {
  test('handles keys in the order they were first added, one at a time with concurrency 1', async () => {
    const { queue, handled, mostAtOnce } = recordingQueue({ concurrency: 1 });
    for (const key of ['c', 'a', 'b']) queue.add(key);
    await queue.idle();
    assert.deepEqual(handled, ['c', 'a', 'b']);
    assert.equal(mostAtOnce(), 1);
  });

  test('a key added again while it waits is handled once', async () => {
    const first = gate();
    const { queue, handled } = recordingQueue({ concurrency: 1 }, { a: first.promise });
    queue.add('a'); // runs, and holds the only worker
    queue.add('b');
    queue.add('b');
    queue.add('c');
    queue.add('b');
    assert.equal(queue.size, 3, 'a running, b and c waiting');
    first.open();
    await queue.idle();
    assert.deepEqual(handled, ['a', 'b', 'c']);
  });

  test('a key added while it is handled is handled once more afterwards, however often it was added, never twice at once', async () => {
    const first = gate();
    const gates: Record<string, Promise<void>> = { a: first.promise };
    const { queue, handled, mostAtOnce } = recordingQueue({ concurrency: 4 }, gates);
    queue.add('a');
    await delay(1);
    assert.deepEqual(handled, ['a']);
    gates.a = Promise.resolve(); // the second handling ends at once
    queue.add('a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.size, 1, 'a re-added while running is not waiting beside itself');
    await delay(5);
    assert.deepEqual(handled, ['a'], 'not started again while the first handling runs');
    first.open();
    await queue.idle();
    assert.deepEqual(handled, ['a', 'a']);
    assert.equal(mostAtOnce(), 1);
  });

  test('runs different keys at once up to the concurrency, and the rest as workers free up', async () => {
    const gates = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, gate()]));
    const { queue, handled, mostAtOnce } = recordingQueue(
      { concurrency: 2 },
      Object.fromEntries(Object.entries(gates).map(([k, g]) => [k, g.promise])),
    );
    for (const key of Object.keys(gates)) queue.add(key);
    await delay(1);
    assert.deepEqual(handled, ['a', 'b']);
    gates.b.open();
    await delay(1);
    assert.deepEqual(handled, ['a', 'b', 'c']);
    for (const g of Object.values(gates)) g.open();
    await queue.idle();
    assert.deepEqual(handled, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(mostAtOnce(), 2);
  });

  test('the default concurrency is 4', async () => {
    const hold = gate();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { queue, handled } = recordingQueue({}, Object.fromEntries(keys.map((k) => [k, hold.promise])));
    for (const key of keys) queue.add(key);
    await delay(1);
    assert.deepEqual(handled, ['a', 'b', 'c', 'd']);
    hold.open();
    await queue.idle();
    assert.equal(handled.length, 6);
  });

  test('size counts waiting and running keys; idle() resolves at once when there are none, and when the last one ends', async () => {
    const hold = gate();
    const { queue } = recordingQueue({ concurrency: 1 }, { a: hold.promise });
    assert.equal(queue.size, 0);
    await queue.idle();
    queue.add('a');
    queue.add('b');
    assert.equal(queue.size, 2);
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await delay(5);
    assert.equal(idle, false);
    hold.open();
    await waiting;
    assert.equal(queue.size, 0);
  });

  test('a failed handling is retried after a delay that doubles, and the failure count resets on success', async () => {
    const calls: number[] = [];
    const errors: Array<[string, number, boolean]> = [];
    let failuresLeft = 2;
    const queue = new WorkQueue(
      async () => {
        calls.push(performance.now());
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('fails');
        }
      },
      { maxRetries: 2, retryDelayMs: 20, onError: (key, _err, willRetry) => errors.push([key, calls.length, willRetry]) },
    );
    queue.add('k');
    await queue.idle();
    assert.equal(calls.length, 1, 'idle() does not wait for a retry scheduled for later');
    await delay(150);
    await queue.idle();
    assert.equal(calls.length, 3, 'two failures, then a success');
    assert.deepEqual(errors, [
      ['k', 1, true],
      ['k', 2, true],
    ]);
    // timers fire no earlier than asked (a millisecond of rounding allowed)
    assert.ok(calls[1] - calls[0] >= 19, `first retry after ${calls[1] - calls[0]} ms`);
    assert.ok(calls[2] - calls[1] >= 39, `second retry after ${calls[2] - calls[1]} ms`);

    // the success forgot the two failures: a third one is retried (maxRetries 2 would give it up otherwise)
    failuresLeft = 1;
    queue.add('k');
    await delay(100);
    await queue.idle();
    assert.equal(calls.length, 5);
    assert.deepEqual(errors.at(-1), ['k', 4, true]);
  });

  test('a key that keeps failing is given up after maxRetries retries, saying so', async () => {
    let calls = 0;
    const errors: boolean[] = [];
    const queue = new WorkQueue(
      async () => {
        calls++;
        throw new Error('always');
      },
      { maxRetries: 2, retryDelayMs: 1, onError: (_key, _err, willRetry) => errors.push(willRetry) },
    );
    queue.add('k');
    await delay(100);
    await queue.idle();
    assert.equal(calls, 3, 'the first handling and two retries');
    assert.deepEqual(errors, [true, true, false]);

    // given up: a later add starts afresh
    queue.add('k');
    await delay(100);
    await queue.idle();
    assert.equal(calls, 6);
  });

  test('shutDown drops waiting keys and scheduled retries, waits for the running handler, and takes no more keys', async () => {
    const hold = gate();
    let failingCalls = 0;
    const handled: string[] = [];
    const errors: Array<[string, boolean]> = [];
    const queue = new WorkQueue(
      async (key) => {
        handled.push(key);
        if (key === 'failing') {
          failingCalls++;
          throw new Error('fails');
        }
        if (key === 'slow') await hold.promise;
      },
      { concurrency: 1, retryDelayMs: 30, onError: (key, _err, willRetry) => errors.push([key, willRetry]) },
    );
    queue.add('failing');
    await delay(1);
    assert.deepEqual(errors, [['failing', true]], 'a retry is scheduled');
    queue.add('slow');
    queue.add('waiting');
    await delay(1);
    queue.add('slow'); // re-added while running: would run again, but for the shutdown

    let done = false;
    const shutDown = queue.shutDown().then(() => (done = true));
    await delay(5);
    assert.equal(done, false, 'waits for the running handler');
    queue.add('late');
    hold.open();
    await shutDown;
    await delay(60); // past the scheduled retry
    assert.deepEqual(handled, ['failing', 'slow']);
    assert.equal(failingCalls, 1);
    assert.equal(queue.size, 0);
  });

  test('a handling that fails during the shutdown is not retried', async () => {
    const hold = gate();
    const errors: boolean[] = [];
    const queue = new WorkQueue(
      async () => {
        await hold.promise;
        throw new Error('fails late');
      },
      { retryDelayMs: 1, onError: (_key, _err, willRetry) => errors.push(willRetry) },
    );
    queue.add('k');
    await delay(1);
    const shutDown = queue.shutDown();
    hold.open();
    await shutDown;
    assert.deepEqual(errors, [false]);
  });
});
