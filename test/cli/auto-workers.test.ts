// --parallel auto: how many workers a plan gets (cli/run.ts autoWorkers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoWorkers, MAX_AUTO_WORKERS } from '../../cli/run.ts';
import { parallelFlag } from '../../cli/args.ts';
import { UsageError } from '../../cli/errors.ts';

test('a plan that is mostly CPU (the reference, no @slow scenario) runs serially', () => {
  assert.equal(autoWorkers({ scenarios: 91, slow: 0, quietMs: 0 }), 0);
});

test('a plan with @slow scenarios gets a worker for each and one for the rest', () => {
  assert.equal(autoWorkers({ scenarios: 97, slow: 1, quietMs: 0 }), 2);
  assert.equal(autoWorkers({ scenarios: 97, slow: 4, quietMs: 0 }), 5);
});

test('an implementation with a quiet period after each action gets workers to overlap the waits, up to the most', () => {
  assert.ok(autoWorkers({ scenarios: 91, slow: 0, quietMs: 250 }) >= 2);
  assert.equal(autoWorkers({ scenarios: 300, slow: 6, quietMs: 250 }), MAX_AUTO_WORKERS);
  assert.equal(autoWorkers({ scenarios: 3, slow: 0, quietMs: 250 }), 0);
});

test('the kubernetes adapter runs serially: one cluster controller serves every worker', () => {
  assert.equal(autoWorkers({ scenarios: 85, slow: 0, quietMs: 250, impl: 'kubernetes' }), 0);
});

test('--parallel takes auto or a whole number, 0 for serial; anything else is a usage error', () => {
  assert.equal(parallelFlag(undefined), 'auto');
  assert.equal(parallelFlag('auto'), 'auto');
  assert.equal(parallelFlag('0'), 0);
  assert.equal(parallelFlag('3'), 3);
  assert.equal(parallelFlag(undefined, 2), 2);
  for (const bad of ['-1', '1.5', 'many', '']) assert.throws(() => parallelFlag(bad), UsageError);
});
