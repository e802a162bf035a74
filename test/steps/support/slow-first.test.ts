// The order a parallel run hands out scenarios in, as cucumber's coordinator asks it (adapter.js: each
// waiting scenario in plan order, the first it may is given to an idle worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowFirst } from '../../../steps/support/slow-first.ts';

type Wait = 'none' | 'slow' | 'client-timeout';
const scenario = (name: string, wait: Wait = 'none') => ({
  name,
  tags: [
    ...(wait === 'none' ? [] : [{ name: '@slow' }]),
    ...(wait === 'client-timeout' ? [{ name: '@client-timeout' }] : []),
    { name: '@AT-X-001' },
  ],
});

/** What cucumber's coordinator does: give each idle worker the first waiting scenario it may have. */
function handOut(plan: ReturnType<typeof scenario>[]): string[] {
  const todo = [...plan];
  const order: string[] = [];
  while (todo.length > 0) {
    const i = todo.findIndex((p) => slowFirst.canAssign(p));
    assert.notEqual(i, -1, `no scenario may be handed out of: ${todo.map((p) => p.name).join(', ')}`);
    order.push(todo.splice(i, 1)[0].name);
  }
  return order;
}

test('every @slow scenario is handed out before any other, the rest in plan order', () => {
  const plan = [scenario('a'), scenario('b'), scenario('slow-1', 'slow'), scenario('c'), scenario('slow-2', 'slow'), scenario('d')];
  slowFirst.plan({ slow: 2, clientTimeouts: 0 });
  assert.deepEqual(handOut(plan), ['slow-1', 'slow-2', 'a', 'b', 'c', 'd']);
});

test('the client-timeout waits, the longest, go before the other @slow scenarios', () => {
  const plan = [scenario('a'), scenario('slow-1', 'slow'), scenario('timeout-1', 'client-timeout'), scenario('slow-2', 'slow'), scenario('timeout-2', 'client-timeout')];
  slowFirst.plan({ slow: 4, clientTimeouts: 2 });
  assert.deepEqual(handOut(plan), ['timeout-1', 'timeout-2', 'slow-1', 'slow-2', 'a']);
});

test('a plan without @slow scenarios keeps its order', () => {
  const plan = [scenario('a'), scenario('b'), scenario('c')];
  slowFirst.plan({ slow: 0, clientTimeouts: 0 });
  assert.deepEqual(handOut(plan), ['a', 'b', 'c']);
});
