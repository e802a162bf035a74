// A run's results, rebuilt from cucumber's message stream: every scenario's outcome with its evidence,
// rolled up per requirement, family and verdict. The reports and the CLI summary render this model.
import type * as messages from '@cucumber/messages';
import type { Requirement } from './catalogue.ts';

export const CONTEXT_MEDIA_TYPE = 'application/vnd.accesstoken-conformance.context+json';
export const EVIDENCE_MEDIA_TYPE = 'application/vnd.accesstoken-conformance.evidence+json';

export type ScenarioStatus = 'passed' | 'failed' | 'unsupported' | 'skipped';

export interface ScenarioResult {
  name: string;
  uri: string;
  /** Line of the scenario (or its example row) in the feature file. */
  line?: number;
  requirementIds: string[];
  status: ScenarioStatus;
  durationMs: number;
  /**
   * The first failing step and its message: the error's own message (what was expected against what was
   * observed). `details` is cucumber's formatted text (the message or a diff, and the stack trace).
   */
  failure?: { step: string; message: string; details?: string };
  unsupported: string[];
  evidence?: { site?: unknown; observed?: unknown; transcript?: unknown[] };
}

export type RequirementOutcome = 'passed' | 'failed' | 'warning' | 'unsupported' | 'not-run' | 'expected-failure';

export interface BaselineEntry {
  id: string;
  reason: string;
  link?: string;
}

export interface RequirementResult extends Requirement {
  result: RequirementOutcome;
  scenarioResults: ScenarioResult[];
  durationMs: number;
  /** The baseline entry that expects this requirement to fail, if any. */
  expected?: BaselineEntry;
}

export type Verdict = 'Conformant' | 'Conformant with warnings' | 'Not conformant';

export interface ImplementationInfo {
  name: string;
  version?: string;
  features: string[];
  organization?: string;
  url?: string;
  contact?: string;
}

export interface RunResult {
  suite: { name: string; version: string };
  implementation: ImplementationInfo;
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  requirements: RequirementResult[];
  scenarios: ScenarioResult[];
  verdict: Verdict;
  /** MUST rules filtered out, skipped or unsupported: the verdict covers only part of the catalogue. */
  partial: boolean;
  /** Baseline entries whose requirement now passes: the list can shrink. */
  fixedExpectations: BaselineEntry[];
  mustPassed: number;
  mustTotal: number;
}

const SEVERITY: Record<string, number> = { PASSED: 0, SKIPPED: 1, PENDING: 2, UNDEFINED: 3, AMBIGUOUS: 4, UNKNOWN: 4, FAILED: 5 };

function durationMs(d: messages.Duration | undefined): number {
  return d ? Number(d.seconds) * 1000 + d.nanos / 1e6 : 0;
}

/** Collects envelopes as they arrive; `scenarios()` turns them into results. */
export class MessageCollector {
  private readonly pickles = new Map<string, messages.Pickle>();
  private readonly testCases = new Map<string, messages.TestCase>();
  private readonly stepText = new Map<string, string>();
  private readonly started = new Map<string, { testCaseId: string; steps: { id: string; status: string; message?: string; exceptionMessage?: string; duration: number }[]; attachments: messages.Attachment[]; finished: boolean; willBeRetried: boolean }>();

  readonly onMessage = (envelope: messages.Envelope): void => {
    if (envelope.pickle) {
      this.pickles.set(envelope.pickle.id, envelope.pickle);
      for (const s of envelope.pickle.steps) this.stepText.set(s.id, s.text);
    } else if (envelope.testCase) {
      this.testCases.set(envelope.testCase.id, envelope.testCase);
    } else if (envelope.testCaseStarted) {
      this.started.set(envelope.testCaseStarted.id, { testCaseId: envelope.testCaseStarted.testCaseId, steps: [], attachments: [], finished: false, willBeRetried: false });
    } else if (envelope.testStepFinished) {
      const s = this.started.get(envelope.testStepFinished.testCaseStartedId);
      const r = envelope.testStepFinished.testStepResult;
      s?.steps.push({ id: envelope.testStepFinished.testStepId, status: r.status, message: r.message, exceptionMessage: r.exception?.message, duration: durationMs(r.duration) });
    } else if (envelope.attachment?.testCaseStartedId) {
      this.started.get(envelope.attachment.testCaseStartedId)?.attachments.push(envelope.attachment);
    } else if (envelope.testCaseFinished) {
      const s = this.started.get(envelope.testCaseFinished.testCaseStartedId);
      if (s) {
        s.finished = true;
        s.willBeRetried = envelope.testCaseFinished.willBeRetried;
      }
    }
  };

  private describeStep(testCase: messages.TestCase, testStepId: string): string {
    const step = testCase.testSteps.find((t) => t.id === testStepId);
    if (step?.pickleStepId) return this.stepText.get(step.pickleStepId) ?? 'a step';
    return 'a hook';
  }

  scenarios(): ScenarioResult[] {
    const out: ScenarioResult[] = [];
    for (const s of this.started.values()) {
      if (!s.finished || s.willBeRetried) continue;
      const testCase = this.testCases.get(s.testCaseId);
      const pickle = testCase && this.pickles.get(testCase.pickleId);
      if (!testCase || !pickle) continue;
      const tags = pickle.tags.map((t) => t.name.slice(1));
      let context: { unsupported?: string[] } = {};
      let evidence: ScenarioResult['evidence'];
      for (const a of s.attachments) {
        if (a.mediaType === CONTEXT_MEDIA_TYPE) context = JSON.parse(a.body);
        if (a.mediaType === EVIDENCE_MEDIA_TYPE) evidence = JSON.parse(a.body);
      }
      const worst = s.steps.reduce((w, st) => ((SEVERITY[st.status] ?? 4) > (SEVERITY[w.status] ?? 0) ? st : w), { status: 'PASSED' } as (typeof s.steps)[number]);
      const unsupported = context.unsupported ?? [];
      let status: ScenarioStatus;
      if (worst.status === 'PASSED') status = 'passed';
      else if (worst.status === 'SKIPPED') status = unsupported.length > 0 ? 'unsupported' : 'skipped';
      else status = 'failed';
      out.push({
        name: pickle.name,
        uri: pickle.uri,
        line: pickle.location?.line,
        requirementIds: tags.filter((t) => /^AT-[A-Z]+-\d{3}$/.test(t)),
        status,
        durationMs: s.steps.reduce((n, st) => n + st.duration, 0),
        failure: status === 'failed'
          ? {
              step: this.describeStep(testCase, worst.id),
              // cucumber's formatting drops a custom assertion message that starts with "expected" in favour
              // of a diff of true and false; the exception keeps the message itself
              message: worst.exceptionMessage || worst.message || `the step is ${worst.status.toLowerCase()}`,
              details: worst.message,
            }
          : undefined,
        unsupported,
        evidence,
      });
    }
    return out;
  }
}

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
