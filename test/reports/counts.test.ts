// The numbers every report shows, from small hand-built results: requirement outcomes (overall, per family,
// per feature), scenario outcomes with expected failures, the run's mode and durations as read.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countOutcomes,
  countScenarios,
  countsByFamily,
  countsByFeature,
  families,
  formatDuration,
  idsWith,
  OUTCOME_LABELS,
  OUTCOMES,
  runMode,
  scenarioOutcome,
} from '../../reports/counts.ts';
import type { RequirementOutcome, RequirementResult, RunResult, ScenarioResult } from '../../reports/results.ts';

function requirement(id: string, family: string, result: RequirementOutcome, features: string[] = []): RequirementResult {
  return {
    id,
    level: 'MUST',
    family,
    side: 'redeemer',
    statement: `${id} holds`,
    source: 'skupper',
    features,
    file: `${family}.feature`,
    line: 1,
    scenarios: [],
    result,
    scenarioResults: [],
    durationMs: 0,
  };
}

function scenario(name: string, status: ScenarioResult['status'], requirementIds: string[]): ScenarioResult {
  return { name, uri: 'features/x.feature', requirementIds, status, durationMs: 1, unsupported: [] };
}

function run(requirements: RequirementResult[], scenarios: ScenarioResult[] = [], options: Record<string, unknown> = {}): RunResult {
  return {
    suite: { name: 'accesstoken-conformance', version: '0.1.0' },
    implementation: { name: 'impl', features: [] },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    options,
    requirements,
    scenarios,
    verdict: 'Not conformant',
    partial: false,
    fixedExpectations: [],
    mustPassed: 0,
    mustTotal: requirements.length,
  };
}

const REQUIREMENTS = [
  requirement('AT-REQ-001', 'request', 'passed'),
  requirement('AT-REQ-002', 'request', 'failed'),
  requirement('AT-REQ-003', 'request', 'not-run'),
  requirement('AT-RESP-001', 'response', 'warning', ['status']),
  requirement('AT-RESP-002', 'response', 'expected-failure', ['status', 'link-cost']),
  requirement('AT-COND-001', 'conditions', 'unsupported', ['resync']),
  requirement('AT-COND-002', 'conditions', 'passed', ['link-cost']),
];

describe('requirement counts', () => {
  test('name every outcome once, in the order the reports show them', () => {
    assert.deepEqual([...OUTCOMES], ['passed', 'failed', 'warning', 'unsupported', 'not-run', 'expected-failure']);
    assert.deepEqual(Object.keys(OUTCOME_LABELS).sort(), [...OUTCOMES].sort());
    assert.equal(OUTCOME_LABELS['not-run'], 'Not run');
  });

  test('count each outcome, with "not-run" as skipped and the total of all', () => {
    assert.deepEqual(countOutcomes(REQUIREMENTS), { total: 7, passed: 2, failed: 1, warning: 1, unsupported: 1, skipped: 1, expectedFailure: 1 });
    assert.deepEqual(countOutcomes([]), { total: 0, passed: 0, failed: 0, warning: 0, unsupported: 0, skipped: 0, expectedFailure: 0 });
  });

  test('list families in catalogue order, each counted on its own', () => {
    const result = run(REQUIREMENTS);
    assert.deepEqual(families(result), ['request', 'response', 'conditions']);
    const byFamily = countsByFamily(result);
    assert.deepEqual(Object.keys(byFamily), ['request', 'response', 'conditions']);
    assert.deepEqual(byFamily.request, { total: 3, passed: 1, failed: 1, warning: 0, unsupported: 0, skipped: 1, expectedFailure: 0 });
    assert.deepEqual(byFamily.response, { total: 2, passed: 0, failed: 0, warning: 1, unsupported: 0, skipped: 0, expectedFailure: 1 });
    assert.deepEqual(byFamily.conditions, { total: 2, passed: 1, failed: 0, warning: 0, unsupported: 1, skipped: 0, expectedFailure: 0 });
  });

  test('count core rules apart, then each feature sorted by name, a rule in every feature it needs', () => {
    const byFeature = countsByFeature(run(REQUIREMENTS));
    assert.deepEqual(Object.keys(byFeature), ['core', 'link-cost', 'resync', 'status']);
    assert.deepEqual(byFeature.core, { total: 3, passed: 1, failed: 1, warning: 0, unsupported: 0, skipped: 1, expectedFailure: 0 });
    assert.deepEqual(byFeature['link-cost'], { total: 2, passed: 1, failed: 0, warning: 0, unsupported: 0, skipped: 0, expectedFailure: 1 });
    assert.deepEqual(byFeature.resync, { total: 1, passed: 0, failed: 0, warning: 0, unsupported: 1, skipped: 0, expectedFailure: 0 });
    assert.deepEqual(byFeature.status, { total: 2, passed: 0, failed: 0, warning: 1, unsupported: 0, skipped: 0, expectedFailure: 1 });
  });

  test('give only core when no rule needs a feature', () => {
    assert.deepEqual(Object.keys(countsByFeature(run([requirement('AT-REQ-001', 'request', 'passed')]))), ['core']);
  });

  test('list the IDs with an outcome, in catalogue order', () => {
    const result = run(REQUIREMENTS);
    assert.deepEqual(idsWith(result, 'passed'), ['AT-REQ-001', 'AT-COND-002']);
    assert.deepEqual(idsWith(result, 'not-run'), ['AT-REQ-003']);
    assert.deepEqual(idsWith(result, 'expected-failure'), ['AT-RESP-002']);
    assert.deepEqual(idsWith(run([]), 'failed'), []);
  });
});

describe('scenario outcomes', () => {
  const requirements = [
    requirement('AT-REQ-001', 'request', 'failed'),
    requirement('AT-RESP-001', 'response', 'expected-failure'),
    requirement('AT-RESP-002', 'response', 'expected-failure'),
  ];

  test('keep a scenario status that is not a failure', () => {
    const result = run(requirements);
    for (const status of ['passed', 'unsupported', 'skipped'] as const) {
      assert.equal(scenarioOutcome(scenario('s', status, ['AT-RESP-001']), result), status);
    }
  });

  test('call a failure expected only when every requirement it proves is an expected failure', () => {
    const result = run(requirements);
    assert.equal(scenarioOutcome(scenario('s', 'failed', ['AT-RESP-001']), result), 'expected-failure');
    assert.equal(scenarioOutcome(scenario('s', 'failed', ['AT-RESP-001', 'AT-RESP-002']), result), 'expected-failure');
    assert.equal(scenarioOutcome(scenario('s', 'failed', ['AT-RESP-001', 'AT-REQ-001']), result), 'failed');
    assert.equal(scenarioOutcome(scenario('s', 'failed', ['AT-XYZ-999']), result), 'failed', 'a requirement not in the result');
    assert.equal(scenarioOutcome(scenario('s', 'failed', []), result), 'failed', 'a scenario that proves no requirement');
  });

  test('count scenarios by outcome, expected failures apart from failures', () => {
    const scenarios = [
      scenario('a', 'passed', ['AT-REQ-001']),
      scenario('b', 'passed', ['AT-REQ-001']),
      scenario('c', 'failed', ['AT-REQ-001']),
      scenario('d', 'failed', ['AT-RESP-001']),
      scenario('e', 'unsupported', ['AT-RESP-002']),
      scenario('f', 'skipped', ['AT-RESP-002']),
      scenario('g', 'skipped', ['AT-RESP-002']),
    ];
    assert.deepEqual(countScenarios(run(requirements, scenarios)), { total: 7, passed: 2, failed: 1, expectedFailure: 1, unsupported: 1, skipped: 2 });
    assert.deepEqual(countScenarios(run(requirements)), { total: 0, passed: 0, failed: 0, expectedFailure: 0, unsupported: 0, skipped: 0 });
  });
});

describe('the run', () => {
  test('is full unless tags or requirement IDs narrowed it', () => {
    assert.equal(runMode(run([])), 'full');
    assert.equal(runMode(run([], [], { tags: null, requirements: [] })), 'full');
    assert.equal(runMode(run([], [], { tags: '   ' })), 'full', 'blank tags select everything');
    assert.equal(runMode(run([], [], { tags: '@family:request' })), 'filtered');
    assert.equal(runMode(run([], [], { requirements: ['AT-REQ-001'] })), 'filtered');
    assert.equal(runMode(run([], [], { requirements: 'AT-REQ-001' })), 'full', 'only a list of IDs narrows');
  });
});

describe('durations', () => {
  test('read in ms, then seconds, then minutes', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(12.5), '13 ms');
    assert.equal(formatDuration(999.4), '999 ms');
    assert.equal(formatDuration(1000), '1.00 s');
    assert.equal(formatDuration(9_994), '9.99 s');
    assert.equal(formatDuration(12_345), '12.3 s');
    assert.equal(formatDuration(60_000), '1 min 0 s');
    assert.equal(formatDuration(125_400), '2 min 5 s');
  });
});
