// The roll-up: scenario results per requirement against the catalogue and the expected-failures
// baseline, and the verdict they give.
import type { Requirement } from './catalogue.ts';
import type { BaselineEntry, RequirementOutcome, RequirementResult, RunResult, ScenarioResult, Verdict } from './results.ts';

/** Rolls scenario results up per requirement, against the catalogue and the baseline. */
export function summarise(
  catalogue: Requirement[],
  scenarios: ScenarioResult[],
  baseline: BaselineEntry[] = [],
): Pick<RunResult, 'requirements' | 'verdict' | 'partial' | 'fixedExpectations' | 'mustPassed' | 'mustTotal'> {
  const expected = new Map(baseline.map((b) => [b.id, b]));
  const requirements: RequirementResult[] = catalogue.map((req) => {
    const mine = scenarios.filter((s) => s.requirementIds.includes(req.id));
    let result: RequirementOutcome;
    if (mine.length === 0) result = 'not-run';
    else if (mine.some((s) => s.status === 'failed')) result = expected.has(req.id) ? 'expected-failure' : req.level === 'MUST' ? 'failed' : 'warning';
    else if (mine.some((s) => s.status === 'passed')) result = 'passed'; // the rest are unsupported or skipped
    else if (mine.some((s) => s.status === 'unsupported')) result = 'unsupported';
    else result = 'not-run';
    return { ...req, result, scenarioResults: mine, durationMs: mine.reduce((n, s) => n + s.durationMs, 0), expected: expected.get(req.id) };
  });
  const must = requirements.filter((r) => r.level === 'MUST');
  const mustFailed = must.some((r) => r.result === 'failed');
  const warnings = requirements.some((r) => r.result === 'warning' || r.result === 'expected-failure');
  const verdict: Verdict = mustFailed ? 'Not conformant' : warnings ? 'Conformant with warnings' : 'Conformant';
  const partial = must.some((r) => r.result === 'not-run' || r.result === 'unsupported');
  const fixedExpectations = baseline.filter((b) => requirements.find((r) => r.id === b.id)?.result === 'passed');
  return {
    requirements,
    verdict,
    partial,
    fixedExpectations,
    mustPassed: must.filter((r) => r.result === 'passed').length,
    mustTotal: must.length,
  };
}
