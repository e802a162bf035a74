// An implementation that stopped answering, from cucumber's messages to every report: the scenarios the
// suite did not run carry the reason, the requirements none of whose scenarios ran too, and the verdict
// is Not conformant whatever ran before (docs/report-format.md, "An implementation that stops answering").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type * as messages from '@cucumber/messages';
import { formatSummary } from '../../cli/summary.ts';
import { renderHtml } from '../../reports/html/render.ts';
import { rewriteJunit } from '../../reports/junit.ts';
import { MessageCollector } from '../../reports/messages.ts';
import { CONTEXT_MEDIA_TYPE, STOPPED_ANSWERING, type RunResult, type ScenarioResult } from '../../reports/results.ts';
import { summarise } from '../../reports/rollup.ts';
import { renderYamlReport } from '../../reports/yaml-report.ts';
import { catalogue } from './fixtures/sample-result.ts';
import { junitSummary, type ReportYaml } from './support.ts';

const DETAIL = '3 calls in a row did not return: observe() within 5000 ms, apply() of "t" within 20000 ms, observe() within 3000 ms';
const redeemerRules = catalogue.filter((r) => r.side === 'redeemer');
const should = redeemerRules.find((r) => r.level === 'SHOULD')!;
const [passing, ...rest] = redeemerRules.filter((r) => r !== should);

function scenario(id: string, name: string, status: ScenarioResult['status'], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return { name, uri: 'features/x.feature', line: 1, requirementIds: [id], status, durationMs: 1, unsupported: [], ...extra };
}

/** A SHOULD rule failed as the implementation stopped answering; one MUST rule passed before; the rest were not run. */
function stoppedRun(): RunResult {
  const scenarios = [
    scenario(passing.id, 'passed before', 'passed'),
    scenario(should.id, 'the one that hung', 'failed', { failure: { step: 'the token is applied', message: 'apply() of "t" did not return within 20000 ms' }, stoppedAnswering: DETAIL }),
    ...rest.map((r) => scenario(r.id, `not run ${r.id}`, 'skipped', { notRun: STOPPED_ANSWERING })),
  ];
  return {
    suite: { name: 'accesstoken-conformance', version: '0.1.0' },
    implementation: { name: 'never-answers', features: [] },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:31Z',
    options: { impl: './never-answers.mjs', tags: null, requirements: [] },
    scenarios,
    ...summarise(redeemerRules, scenarios),
  };
}

describe('an implementation that stopped answering', () => {
  test("cucumber's messages give each scenario its reason: the Before hook's context, and the After hook's addition", () => {
    const c = new MessageCollector();
    const send = (e: Partial<messages.Envelope>) => c.onMessage(e as messages.Envelope);
    for (const [n, context] of [
      [1, [{ unsupported: [] }, { stoppedAnswering: DETAIL }]],
      [2, [{ unsupported: [], notRun: STOPPED_ANSWERING }]],
    ] as const) {
      send({ pickle: { id: `p${n}`, uri: 'features/x.feature', name: `s${n}`, language: 'en', steps: [{ id: `ps${n}`, text: 'a step', astNodeIds: [] }], tags: [{ name: '@AT-REQ-001', astNodeId: '' }], astNodeIds: [] } });
      send({ testCase: { id: `tc${n}`, pickleId: `p${n}`, testSteps: [{ id: `ts${n}`, pickleStepId: `ps${n}` }], testRunStartedId: '' } as messages.TestCase });
      send({ testCaseStarted: { id: `st${n}`, testCaseId: `tc${n}`, attempt: 0, timestamp: { seconds: 0, nanos: 0 } } });
      for (const body of context) send({ attachment: { testCaseStartedId: `st${n}`, mediaType: CONTEXT_MEDIA_TYPE, body: JSON.stringify(body), contentEncoding: 'IDENTITY' as messages.AttachmentContentEncoding } });
      const status = n === 1 ? 'FAILED' : 'SKIPPED';
      send({ testStepFinished: { testCaseStartedId: `st${n}`, testStepId: `ts${n}`, testStepResult: { status, duration: { seconds: 0, nanos: 0 } } as messages.TestStepResult, timestamp: { seconds: 0, nanos: 0 } } });
      send({ testCaseFinished: { testCaseStartedId: `st${n}`, willBeRetried: false, timestamp: { seconds: 0, nanos: 0 } } });
    }
    const [hung, notRun] = c.scenarios();
    assert.equal(hung.status, 'failed');
    assert.equal(hung.stoppedAnswering, DETAIL);
    assert.equal(hung.notRun, undefined);
    assert.equal(notRun.status, 'skipped');
    assert.equal(notRun.notRun, STOPPED_ANSWERING);
  });

  test('makes the verdict Not conformant even when no MUST rule failed, and names what was not run', () => {
    const result = stoppedRun();
    assert.equal(result.verdict, 'Not conformant');
    assert.equal(result.partial, true);
    assert.deepEqual(result.stoppedAnswering, {
      reason: STOPPED_ANSWERING,
      details: [DETAIL],
      scenariosNotRun: rest.length,
      requirementsNotRun: rest.map((r) => r.id),
    });
    const requirement = result.requirements.find((r) => r.id === rest[0].id)!;
    assert.equal(requirement.result, 'not-run');
    assert.equal(requirement.notRun, STOPPED_ANSWERING);
    assert.equal(result.requirements.find((r) => r.id === should.id)!.result, 'warning');
    // the same scenarios, had the implementation answered: a pass with warnings
    const answered = summarise(redeemerRules, result.scenarios.filter((s) => !s.notRun).map((s) => ({ ...s, stoppedAnswering: undefined })));
    assert.equal(answered.verdict, 'Conformant with warnings');
    assert.equal(answered.stoppedAnswering, undefined);
  });

  test('a run that stopped on its last scenario, with nothing left to skip, is still Not conformant', () => {
    const scenarios = [scenario(should.id, 'hung last', 'failed', { failure: { step: 's', message: 'x' }, stoppedAnswering: DETAIL })];
    const summary = summarise(redeemerRules, scenarios);
    assert.equal(summary.verdict, 'Not conformant');
    assert.equal(summary.stoppedAnswering?.scenariosNotRun, 0);
  });

  test('the console summary says so, with the calls that timed out, and in the verdict line', () => {
    const text = formatSummary(stoppedRun());
    assert.match(text, new RegExp(`NOT RUN ${rest.length} scenarios \\(${rest.length} requirements\\): the implementation stopped answering`));
    assert.ok(text.includes(`  ${DETAIL}`));
    assert.match(text, /Verdict: Not conformant \(the implementation stopped answering; partial: some MUST rules did not run\)/);
  });

  test('index.html says so at the top and beside every scenario and requirement not run', () => {
    const html = renderHtml(stoppedRun());
    assert.match(html, /<section class="callout stopped" id="stopped-answering"><b>Not run: the implementation stopped answering\.<\/b>/);
    assert.ok(html.includes('3 calls in a row did not return: observe() within 5000 ms, apply() of &quot;t&quot; within 20000 ms'));
    const scenarioReasons = html.match(/<span class="muted">not run: the implementation stopped answering<\/span>/g) ?? [];
    assert.equal(scenarioReasons.length, rest.length);
    const requirementReasons = html.match(/<span class="not-run-note">not run: the implementation stopped answering<\/span>/g) ?? [];
    assert.equal(requirementReasons.length, rest.length);
    assert.doesNotMatch(renderHtml({ ...stoppedRun(), stoppedAnswering: undefined }), /callout stopped/);
  });

  test('report.yaml gives the reason, the calls, and what was not run under result.stoppedAnswering', () => {
    const report = parse(renderYamlReport(stoppedRun())) as ReportYaml;
    assert.equal(report.result.verdict, 'Not conformant');
    assert.deepEqual(report.result.stoppedAnswering, { reason: STOPPED_ANSWERING, details: [DETAIL], scenariosNotRun: rest.length, requirementsNotRun: rest.map((r) => r.id) });
    assert.deepEqual(report.skippedRequirements, rest.map((r) => r.id));
  });

  test("junit.xml keeps cucumber's <skipped>, with the reason as its message, and says so in the properties", () => {
    const result = stoppedRun();
    const shown = [result.scenarios[0], result.scenarios[1], result.scenarios[2]];
    const small = { ...result, scenarios: shown };
    const xml = `<?xml version="1.0"?>
<testsuite name="x" time="1" tests="3" skipped="1" failures="1" errors="0">
  <testcase classname="c" name="${shown[0].name}" time="0.1"/>
  <testcase classname="c" name="${shown[1].name}" time="0.1">
    <failure type="CallTimeoutError" message="apply()"><![CDATA[x]]></failure>
  </testcase>
  <testcase classname="c" name="${shown[2].name}" time="0.1">
    <skipped/>
    <system-out><![CDATA[Given a grant....skipped]]></system-out>
  </testcase>
</testsuite>
`;
    const out = rewriteJunit(xml, small);
    assert.equal(out.skipped, undefined);
    const summary = junitSummary(out.xml);
    assert.deepEqual(summary.skippedMessages, ['not run: the implementation stopped answering']);
    assert.deepEqual({ tests: summary.tests, failures: summary.failures, skipped: summary.skipped }, { tests: 3, failures: 1, skipped: 1 });
    assert.match(out.xml, /<property name="accesstoken-conformance.stopped-answering" value="the implementation stopped answering: 3 calls in a row did not return: [^"]*"\/>/);
  });
});
