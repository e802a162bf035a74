// The order a parallel run hands out scenarios in, as cucumber's coordinator asks it (adapter.js: each
// waiting scenario in plan order, the first it may is given to an idle worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowFirst } from '../../../steps/support/slow-first.ts';

const scenario = (name: string, slow = false) => ({ name, tags: slow ? [{ name: '@slow' }, { name: '@AT-X-001' }] : [{ name: '@AT-X-001' }] });

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
  const plan = [scenario('a'), scenario('b'), scenario('slow-1', true), scenario('c'), scenario('slow-2', true), scenario('d')];
  slowFirst.plan(2);
  assert.deepEqual(handOut(plan), ['slow-1', 'slow-2', 'a', 'b', 'c', 'd']);
});

test('a plan without @slow scenarios keeps its order', () => {
  const plan = [scenario('a'), scenario('b'), scenario('c')];
  slowFirst.plan(0);
  assert.deepEqual(handOut(plan), ['a', 'b', 'c']);
});
