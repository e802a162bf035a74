// The numbers every report shows, computed once so that index.html, report.yaml, badge.svg and
// junit.xml cannot disagree: requirement outcomes per family and per optional feature, scenario
// outcomes, and the run's mode.
import type { RequirementOutcome, RequirementResult, RunResult, ScenarioResult } from './results.ts';

export const OUTCOMES: readonly RequirementOutcome[] = ['passed', 'failed', 'warning', 'unsupported', 'not-run', 'expected-failure'];

export const OUTCOME_LABELS: Record<RequirementOutcome, string> = {
  passed: 'Passed',
  failed: 'Failed',
  warning: 'Warning',
  unsupported: 'Unsupported',
  'not-run': 'Not run',
  'expected-failure': 'Expected failure',
};

/** Requirement outcomes as report.yaml names them ("skipped" is "not-run"). */
export interface OutcomeCounts {
  total: number;
  passed: number;
  failed: number;
  warning: number;
  unsupported: number;
  skipped: number;
  expectedFailure: number;
}

const COUNT_KEY: Record<RequirementOutcome, Exclude<keyof OutcomeCounts, 'total'>> = {
  passed: 'passed',
  failed: 'failed',
  warning: 'warning',
  unsupported: 'unsupported',
  'not-run': 'skipped',
  'expected-failure': 'expectedFailure',
};

export function countOutcomes(requirements: readonly RequirementResult[]): OutcomeCounts {
  const counts: OutcomeCounts = { total: 0, passed: 0, failed: 0, warning: 0, unsupported: 0, skipped: 0, expectedFailure: 0 };
  for (const r of requirements) {
    counts.total++;
    counts[COUNT_KEY[r.result]]++;
  }
  return counts;
}

/** Families in catalogue order. */
export function families(result: RunResult): string[] {
  return [...new Set(result.requirements.map((r) => r.family))];
}

export function countsByFamily(result: RunResult): Record<string, OutcomeCounts> {
  return Object.fromEntries(families(result).map((f) => [f, countOutcomes(result.requirements.filter((r) => r.family === f))]));
}

/** "core" for the rules every implementation must meet, then one entry per optional feature a rule needs. */
export function countsByFeature(result: RunResult): Record<string, OutcomeCounts> {
  const names = [...new Set(result.requirements.flatMap((r) => r.features))].sort();
  return {
    core: countOutcomes(result.requirements.filter((r) => r.features.length === 0)),
    ...Object.fromEntries(names.map((f) => [f, countOutcomes(result.requirements.filter((r) => r.features.includes(f)))])),
  };
}

export type ScenarioOutcome = 'passed' | 'failed' | 'expected-failure' | 'unsupported' | 'skipped';

/** A failed scenario is an expected failure when every requirement it proves is listed in the baseline. */
export function scenarioOutcome(scenario: ScenarioResult, result: RunResult): ScenarioOutcome {
  if (scenario.status !== 'failed') return scenario.status;
  const expected = scenario.requirementIds.length > 0 &&
    scenario.requirementIds.every((id) => result.requirements.find((r) => r.id === id)?.result === 'expected-failure');
  return expected ? 'expected-failure' : 'failed';
}

/** Scenario outcomes; junit.xml's totals: tests = total, failures = failed, skipped = the rest that did not pass. */
export interface ScenarioCounts {
  total: number;
  passed: number;
  failed: number;
  expectedFailure: number;
  unsupported: number;
  skipped: number;
}

export function countScenarios(result: RunResult): ScenarioCounts {
  const counts: ScenarioCounts = { total: 0, passed: 0, failed: 0, expectedFailure: 0, unsupported: 0, skipped: 0 };
  for (const s of result.scenarios) {
    counts.total++;
    const o = scenarioOutcome(s, result);
    counts[o === 'expected-failure' ? 'expectedFailure' : o]++;
  }
  return counts;
}

/** "full" when the whole catalogue was selected, "filtered" when tags or requirement IDs narrowed it. */
export function runMode(result: RunResult): 'full' | 'filtered' {
  const tags = result.options.tags;
  const requirements = result.options.requirements;
  const filtered = (typeof tags === 'string' && tags.trim() !== '') || (Array.isArray(requirements) && requirements.length > 0);
  return filtered ? 'filtered' : 'full';
}

export function idsWith(result: RunResult, outcome: RequirementOutcome): string[] {
  return result.requirements.filter((r) => r.result === outcome).map((r) => r.id);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
