// The judgements behind the Then steps (steps/judging/judgements.ts) that hold a rule's statement.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensure, hasDefaultCost } from '../../../steps/judging/judgements.ts';
import type { Link } from '../../../model/resources.ts';

const link = (cost?: number): Link => ({ apiVersion: 'skupper.io/v2alpha1', kind: 'Link', metadata: { name: 'l' }, spec: { endpoints: [], ...(cost === undefined ? {} : { cost }) } });

describe('hasDefaultCost: the documented default (AT-DEF-001/002)', () => {
  test('no cost (the Link default) and cost 1 are the default', () => {
    assert.ok(hasDefaultCost(link()));
    assert.ok(hasDefaultCost(link(1)));
  });
  test('0, a negative cost, or another cost is not: the router raising < 1 to 1 is Skupper code, not the docs', () => {
    for (const cost of [0, -3, 2]) assert.ok(!hasDefaultCost(link(cost)), `cost ${cost}`);
  });
});

describe("ensure: a step's check whose message is made only when it fails", () => {
  test('a condition that holds passes without making the message', () => {
    let made = 0;
    ensure(true, () => `${++made}`);
    ensure([], () => `${++made}`);
    assert.equal(made, 0);
  });

  test('a condition that does not hold fails the step with the message', () => {
    assert.throws(() => ensure(0, () => 'expected a Link "west"'), { name: 'AssertionError', message: 'expected a Link "west"' });
    assert.throws(() => ensure(undefined, () => 'no Secret'), /no Secret/);
  });
});
