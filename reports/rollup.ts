// The roll-up: scenario results per requirement against the catalogue and the expected-failures
// baseline, and the verdict they give.
import type { Requirement } from './catalogue.ts';
import { INTERRUPTED, STOPPED_ANSWERING, type BaselineEntry, type Interrupted, type RequirementOutcome, type RequirementResult, type RunResult, type ScenarioResult, type StoppedAnswering, type Verdict } from './results.ts';

/** Rolls scenario results up per requirement, against the catalogue and the baseline. */
export function summarise(
  catalogue: Requirement[],
  scenarios: ScenarioResult[],
  baseline: BaselineEntry[] = [],
): Pick<RunResult, 'requirements' | 'verdict' | 'partial' | 'fixedExpectations' | 'mustPassed' | 'mustTotal' | 'stoppedAnswering' | 'interrupted'> {
  const expected = new Map(baseline.map((b) => [b.id, b]));
  const requirements: RequirementResult[] = catalogue.map((req) => {
    const mine = scenarios.filter((s) => s.requirementIds.includes(req.id));
    let result: RequirementOutcome;
    if (mine.length === 0) result = 'not-run';
    else if (mine.some((s) => s.status === 'failed')) result = expected.has(req.id) ? 'expected-failure' : req.level === 'MUST' ? 'failed' : 'warning';
    else if (mine.some((s) => s.status === 'passed')) result = 'passed'; // the rest are unsupported or skipped
    else if (mine.some((s) => s.status === 'unsupported')) result = 'unsupported';
    else result = 'not-run';
    // not run for one reason, the suite's: the reason is the requirement's
    const reasons = new Set(mine.map((s) => s.notRun));
    let notRun = result === 'not-run' && reasons.size === 1 ? [...reasons][0] : undefined;
    // a rule the interruption cut short is not judged by the part of it that ran
    if (result === 'passed' && reasons.has(INTERRUPTED)) {
      result = 'not-run';
      notRun = INTERRUPTED;
    }
    return {
      ...req,
      result,
      scenarioResults: mine,
      durationMs: mine.reduce((n, s) => n + s.durationMs, 0),
      expected: expected.get(req.id),
      ...(notRun ? { notRun } : {}),
    };
  });
  const stoppedAnswering = stopped(scenarios, requirements);
  const interrupted = interruption(scenarios, requirements);
  const must = requirements.filter((r) => r.level === 'MUST');
  const mustFailed = must.some((r) => r.result === 'failed');
  const warnings = requirements.some((r) => r.result === 'warning' || r.result === 'expected-failure');
  // an implementation that stopped answering fails the run, whatever ran before: the rules it was not
  // judged on were not passed, and its own calls timed out
  const verdict: Verdict = mustFailed || stoppedAnswering ? 'Not conformant' : warnings ? 'Conformant with warnings' : 'Conformant';
  const partial = interrupted !== undefined || must.some((r) => r.result === 'not-run' || r.result === 'unsupported');
  const fixedExpectations = baseline.filter((b) => requirements.find((r) => r.id === b.id)?.result === 'passed');
  return {
    requirements,
    verdict,
    partial,
    fixedExpectations,
    mustPassed: must.filter((r) => r.result === 'passed').length,
    mustTotal: must.length,
    ...(stoppedAnswering ? { stoppedAnswering } : {}),
    ...(interrupted ? { interrupted } : {}),
  };
}

/** The run was interrupted before every scenario ran: how much was not run because of it. */
function interruption(scenarios: ScenarioResult[], requirements: RequirementResult[]): Interrupted | undefined {
  const notRun = scenarios.filter((s) => s.notRun === INTERRUPTED);
  if (notRun.length === 0) return undefined;
  return {
    reason: INTERRUPTED,
    scenariosNotRun: notRun.length,
    requirementsNotRun: requirements.filter((r) => r.notRun === INTERRUPTED).map((r) => r.id),
  };
}

/** The implementation stopped answering in some worker: what it did not answer, and what was not run. */
function stopped(scenarios: ScenarioResult[], requirements: RequirementResult[]): StoppedAnswering | undefined {
  const notRun = scenarios.filter((s) => s.notRun === STOPPED_ANSWERING);
  const details = [...new Set(scenarios.flatMap((s) => (s.stoppedAnswering ? [s.stoppedAnswering] : [])))];
  if (notRun.length === 0 && details.length === 0) return undefined;
  return {
    reason: STOPPED_ANSWERING,
    details,
    scenariosNotRun: notRun.length,
    requirementsNotRun: requirements.filter((r) => r.notRun === STOPPED_ANSWERING).map((r) => r.id),
  };
}
