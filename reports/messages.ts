// The scenarios of a run, rebuilt from cucumber's message stream: each one's steps, attachments and
// outcome (a retried attempt counts only by its last try).
import type * as messages from '@cucumber/messages';
import { parseEvidence } from './evidence.ts';
import { CONTEXT_MEDIA_TYPE, EVIDENCE_MEDIA_TYPE, type ScenarioResult, type ScenarioStatus } from './results.ts';

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
      // the Before hook's context, and what a step or the After hook added to it
      let context: { unsupported?: string[]; notRun?: string; stoppedAnswering?: string } = {};
      let evidence: ScenarioResult['evidence'];
      for (const a of s.attachments) {
        if (a.mediaType === CONTEXT_MEDIA_TYPE) context = { ...context, ...JSON.parse(a.body) };
        if (a.mediaType === EVIDENCE_MEDIA_TYPE) evidence = parseEvidence(a.body);
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
        ...(status === 'skipped' && typeof context.notRun === 'string' ? { notRun: context.notRun } : {}),
        ...(typeof context.stoppedAnswering === 'string' ? { stoppedAnswering: context.stoppedAnswering } : {}),
      });
    }
    return out;
  }
}
