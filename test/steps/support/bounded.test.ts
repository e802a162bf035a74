// The bound on every call into an implementation (steps/support/bounded.ts): a call that does not return
// fails with the bound in its message; three in a row and the implementation has stopped answering,
// after which nothing more is called (but close(), when asked to be).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Answering, bounded, CallTimeoutError, NotAnsweringError, STOPPED_AFTER } from '../../../steps/support/bounded.ts';

const never = () => new Promise<never>(() => {});

describe('bounded', () => {
  test('returns what the call returns, and fails with the bound when it does not return in time', async () => {
    const answering = new Answering();
    assert.equal(await bounded('observe()', 50, async () => 42, { answering }), 42);
    const started = performance.now();
    await assert.rejects(bounded('observe()', 30, never, { answering }), (e: Error) => e instanceof CallTimeoutError && e.message === 'observe() did not return within 30 ms');
    assert.ok(performance.now() - started < 1_000);
    assert.equal(answering.abandoned, 1);
  });

  test(`${STOPPED_AFTER} timeouts in a row stop the implementation; then nothing is called`, async () => {
    const answering = new Answering();
    for (let i = 0; i < STOPPED_AFTER; i++) {
      assert.equal(answering.stopped, false);
      await assert.rejects(bounded(`apply() ${i}`, 10, never, { answering }), CallTimeoutError);
    }
    assert.equal(answering.stopped, true);
    assert.equal(answering.detail, '3 calls in a row did not return: apply() 0 within 10 ms, apply() 1 within 10 ms, apply() 2 within 10 ms');
    let called = false;
    await assert.rejects(
      bounded('observe()', 10, async () => { called = true; }, { answering }),
      (e: Error) => e instanceof NotAnsweringError && /^observe\(\) was not called: the implementation stopped answering/.test(e.message),
    );
    assert.equal(called, false);
    // close() still gets its chance to clean up
    assert.equal(await bounded('close()', 50, async () => 'closed', { answering, evenIfStopped: true }), 'closed');
    answering.reset();
    assert.equal(answering.stopped, false);
  });

  test('an answer between timeouts, a value or an error, starts the count again', async () => {
    const answering = new Answering();
    await assert.rejects(bounded('a', 10, never, { answering }));
    await assert.rejects(bounded('b', 10, never, { answering }));
    await assert.rejects(bounded('c', 50, async () => { throw new Error('refused'); }, { answering }), /refused/);
    await assert.rejects(bounded('d', 10, never, { answering }));
    await assert.rejects(bounded('e', 10, never, { answering }));
    assert.equal(answering.stopped, false);
    await bounded('f', 50, async () => undefined, { answering });
    await assert.rejects(bounded('g', 10, never, { answering }));
    assert.equal(answering.stopped, false);
  });

  test('a bounded call that fails because one nested in it timed out is no answer', async () => {
    const answering = new Answering();
    for (let i = 0; i < STOPPED_AFTER; i++) {
      await assert.rejects(bounded('outer', 1_000, () => bounded('observe()', 10, never, { answering }), { answering }), CallTimeoutError);
    }
    assert.equal(answering.stopped, true);
  });
});
