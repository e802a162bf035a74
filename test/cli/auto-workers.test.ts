// --parallel auto: how many workers a plan gets (cli/run.ts autoWorkers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoWorkers, kubernetesWorkerCap, MAX_AUTO_WORKERS } from '../../cli/run.ts';
import { parallelFlag } from '../../cli/args.ts';
import { UsageError } from '../../cli/errors.ts';
import { plannedScenarios, sideExpression } from '../../cli/selection.ts';

const reference = { impl: 'reference', quietMs: 0 };
const aModule = { impl: '/somewhere/implementation.mjs', quietMs: 250 };

test('a plan that is mostly CPU (the reference, no @slow scenario) runs serially', () => {
  assert.equal(autoWorkers({ ...reference, scenarios: 91, slow: 0, clientTimeouts: 0 }), 0);
});

test('a run of one scenario runs serially, however long it waits: a worker would only add its start', () => {
  assert.equal(autoWorkers({ ...reference, scenarios: 1, slow: 1, clientTimeouts: 1 }), 0);
  assert.equal(autoWorkers({ ...aModule, scenarios: 1, slow: 1, clientTimeouts: 0 }), 0);
});

test('each client-timeout wait gets a worker of its own; the shorter @slow waits share one with the rest', () => {
  // the reference's catalogue: four 10 s client timeouts, a 2.5 s answer and a second's wait, 85 others
  assert.equal(autoWorkers({ ...reference, scenarios: 91, slow: 6, clientTimeouts: 4 }), 5);
  assert.equal(autoWorkers({ ...reference, scenarios: 91, slow: 4, clientTimeouts: 4 }), 5);
  // only client timeouts: one each, nothing else to run
  assert.equal(autoWorkers({ ...reference, scenarios: 2, slow: 2, clientTimeouts: 2 }), 2);
});

test('short @slow waits with nothing longer to overlap get a worker each, none for the little that is left', () => {
  // the grant side's catalogue: three 2 s windows and 58 scenarios of ~10 ms
  assert.equal(autoWorkers({ ...reference, scenarios: 61, slow: 3, clientTimeouts: 0 }), 3);
});

test('an implementation with a quiet period after each action gets workers to overlap the waits, up to the most', () => {
  assert.ok(autoWorkers({ ...aModule, scenarios: 91, slow: 0, clientTimeouts: 0 }) >= 2);
  assert.equal(autoWorkers({ ...aModule, scenarios: 300, slow: 6, clientTimeouts: 4 }), MAX_AUTO_WORKERS);
  assert.equal(autoWorkers({ ...aModule, scenarios: 3, slow: 0, clientTimeouts: 0 }), 0);
});

test('the more a plan waits, the more workers it gets, never more than the most', () => {
  let last = 0;
  for (let scenarios = 1; scenarios <= 200; scenarios += 7) {
    const n = autoWorkers({ ...aModule, scenarios, slow: 0, clientTimeouts: 0 });
    assert.ok(n >= last && n <= MAX_AUTO_WORKERS, `${scenarios} scenarios: ${n} workers after ${last}`);
    last = n;
  }
});

test('the kubernetes adapter gets two and a half workers per core (rounded down), and none when a client timeout would hold the shared controller', () => {
  const plan = { scenarios: 85, slow: 0, clientTimeouts: 0, quietMs: 250, impl: 'kubernetes' };
  assert.equal(autoWorkers({ ...plan, cores: 2 }), 5);
  assert.equal(autoWorkers({ ...plan, cores: 1 }), 2);
  assert.equal(kubernetesWorkerCap(3), 7);
  assert.equal(autoWorkers({ ...plan, cores: 64 }), MAX_AUTO_WORKERS);
  assert.equal(autoWorkers({ ...plan, scenarios: 91, slow: 6, clientTimeouts: 4, cores: 2 }), 0);
  // the same plan for a module implementation is shared out over more workers
  assert.ok(autoWorkers({ ...plan, impl: 'example.mjs' }) > kubernetesWorkerCap(2));
});

test("the catalogue's plan counts its client-timeout waits among its @slow scenarios", () => {
  const redeemer = plannedScenarios(sideExpression('redeemer', undefined));
  assert.ok(redeemer.clientTimeouts >= 1 && redeemer.clientTimeouts < redeemer.slow, JSON.stringify(redeemer));
  const grants = plannedScenarios(sideExpression('grant-service', undefined));
  assert.equal(grants.clientTimeouts, 0, 'a grant service has no client timeout to wait out');
  // the redirect scenarios (AT-REQ-006, one per status) start another grant service: the run hosts its thread
  assert.equal(redeemer.otherGrantServices, 4, JSON.stringify(redeemer));
  assert.equal(plannedScenarios('not @AT-REQ-006').otherGrantServices, 0);
  assert.equal(grants.otherGrantServices, 0, 'no grant-service scenario redirects');
  assert.equal(plannedScenarios('@client-timeout and not @slow').scenarios, 0, 'every @client-timeout scenario is also @slow: a `not @slow` run leaves it out');
});

test('--parallel takes auto or a whole number, 0 for serial; anything else is a usage error', () => {
  assert.equal(parallelFlag(undefined), 'auto');
  assert.equal(parallelFlag('auto'), 'auto');
  assert.equal(parallelFlag('0'), 0);
  assert.equal(parallelFlag('3'), 3);
  assert.equal(parallelFlag(undefined, 2), 2);
  for (const bad of ['-1', '1.5', 'many', '']) assert.throws(() => parallelFlag(bad), UsageError);
});
