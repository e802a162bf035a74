// An interrupted run (Ctrl-C), from the scenarios to every report: the scenarios left (the one in progress
// included) are not run with the reason, a rule the interruption cut short is not judged by the part that
// ran, and the verdict is of what ran, partial (docs/report-format.md, "An interrupted run").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { formatSummary } from '../../cli/summary.ts';
import { renderHtml } from '../../reports/html/render.ts';
import { rewriteJunit } from '../../reports/junit.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { INTERRUPTED, STOPPED_ANSWERING, type RunResult, type ScenarioResult } from '../../reports/results.ts';
import { summarise } from '../../reports/rollup.ts';
import { renderYamlReport, type ConformanceReport } from '../../reports/yaml-report.ts';
import { catalogue } from './fixtures/sample-result.ts';
import { junitSummary } from './support.ts';

const redeemerRules = catalogue.filter((r) => r.side === 'redeemer');
const [passing, cutShort, ...rest] = redeemerRules;

function scenario(id: string, name: string, status: ScenarioResult['status'], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return { name, uri: 'features/x.feature', line: 1, requirementIds: [id], status, durationMs: 1, unsupported: [], ...extra };
}

/** One rule passed; another's first scenario passed and its second was in progress; the rest were not run. */
function interruptedRun(): RunResult {
  const scenarios = [
    scenario(passing.id, 'passed before', 'passed'),
    scenario(cutShort.id, 'passed before too', 'passed'),
    scenario(cutShort.id, 'in progress', 'skipped', { notRun: INTERRUPTED }),
    ...rest.map((r) => scenario(r.id, `not run ${r.id}`, 'skipped', { notRun: INTERRUPTED })),
  ];
  return {
    suite: { name: 'accesstoken-conformance', version: '0.1.0' },
    implementation: { name: 'reference', features: [] },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:04Z',
    options: { impl: 'reference', tags: null, requirements: [] },
    scenarios,
    ...summarise(redeemerRules, scenarios),
  };
}

describe('an interrupted run', () => {
  test('the verdict is of what ran, partial; a rule cut short is not run; the rest carry the reason', () => {
    const result = interruptedRun();
    assert.equal(result.verdict, 'Conformant');
    assert.equal(result.partial, true);
    assert.equal(result.stoppedAnswering, undefined);
    const notRun = [cutShort, ...rest].map((r) => r.id);
    assert.deepEqual(result.interrupted, { reason: INTERRUPTED, scenariosNotRun: rest.length + 1, requirementsNotRun: notRun });
    assert.equal(result.requirements.find((r) => r.id === passing.id)!.result, 'passed');
    for (const id of notRun) {
      const r = result.requirements.find((x) => x.id === id)!;
      assert.equal(r.result, 'not-run', id);
      assert.equal(r.notRun, INTERRUPTED, id);
    }
    assert.equal(result.mustPassed, [passing].filter((r) => r.level === 'MUST').length);
  });

  test('a failure before the interruption still counts; a run that stopped answering says that first', () => {
    const failed = scenario(passing.id, 'failed before', 'failed', { failure: { step: 's', message: 'expected x' } });
    const withFailure = summarise(redeemerRules, [failed, ...interruptedRun().scenarios.slice(1)]);
    assert.equal(withFailure.requirements.find((r) => r.id === passing.id)!.result, passing.level === 'MUST' ? 'failed' : 'warning');
    assert.ok(withFailure.interrupted);
    // a run with no scenario left when it was interrupted is a whole run
    const whole = summarise(redeemerRules, redeemerRules.map((r) => scenario(r.id, r.id, 'passed')));
    assert.equal(whole.interrupted, undefined);
    assert.equal(whole.partial, false);
    // both: stopped answering (the implementation's failure) and then interrupted
    const both = summarise(redeemerRules, [
      scenario(passing.id, 'hung', 'failed', { failure: { step: 's', message: 'x' }, stoppedAnswering: '3 calls in a row did not return: …' }),
      scenario(cutShort.id, 'after it', 'skipped', { notRun: STOPPED_ANSWERING }),
      ...rest.map((r) => scenario(r.id, r.id, 'skipped', { notRun: INTERRUPTED })),
    ]);
    assert.equal(both.verdict, 'Not conformant');
    assert.equal(both.interrupted?.scenariosNotRun, rest.length);
    assert.equal(both.stoppedAnswering?.scenariosNotRun, 1);
  });

  test('the console says what was not run, and that the verdict is partial, of what ran', () => {
    const text = formatSummary(interruptedRun());
    assert.match(text, new RegExp(`NOT RUN ${rest.length + 1} scenarios \\(${rest.length + 1} requirements\\): interrupted \\(Ctrl-C\\)`));
    assert.match(text, /Verdict: Conformant \(interrupted \(Ctrl-C\): partial, of what ran\)$/m);
  });

  test('index.html and summary.md say so at the top, and beside every scenario and requirement not run', () => {
    const result = interruptedRun();
    const html = renderHtml(result);
    assert.match(html, /<title>[^<]*\(partial: interrupted\)<\/title>/);
    assert.match(html, /<section class="callout interrupted" id="interrupted"><b>Not run: interrupted \(Ctrl-C\)\.<\/b>/);
    assert.equal((html.match(/<span class="muted">not run: interrupted \(Ctrl-C\)<\/span>/g) ?? []).length, rest.length + 1);
    assert.equal((html.match(/<span class="not-run-note">not run: interrupted \(Ctrl-C\)<\/span>/g) ?? []).length, rest.length + 1);
    assert.doesNotMatch(renderHtml({ ...result, interrupted: undefined }), /callout interrupted/);
    const md = renderMarkdown(result);
    assert.match(md, /^## ✅ AccessToken conformance: Conformant \(partial: interrupted\)$/m);
    assert.match(md, new RegExp(`> \\*\\*Not run: interrupted \\(Ctrl-C\\)\\.\\*\\* The run was stopped before it ended: ${rest.length + 1} scenarios`));
    assert.doesNotMatch(md, /> \*\*Partial\*\*/);
  });

  test('report.yaml: result.interrupted, null when the run was not', () => {
    const report = parse(renderYamlReport(interruptedRun())) as ConformanceReport;
    assert.deepEqual(report.result.interrupted, { reason: INTERRUPTED, scenariosNotRun: rest.length + 1, requirementsNotRun: [cutShort, ...rest].map((r) => r.id) });
    assert.equal(report.result.partial, true);
    const whole = summarise(redeemerRules, redeemerRules.map((r) => scenario(r.id, r.id, 'passed')));
    const plain = parse(renderYamlReport({ ...interruptedRun(), ...whole, interrupted: undefined, scenarios: [] })) as ConformanceReport;
    assert.equal(plain.result.interrupted, null);
  });

  test("junit.xml: cucumber's <skipped> with the reason, and a property", () => {
    const result = interruptedRun();
    const shown = result.scenarios.slice(0, 3);
    const xml = `<?xml version="1.0"?>
<testsuite name="x" time="1" tests="3" skipped="1" failures="0" errors="0">
  <testcase classname="c" name="${shown[0].name}" time="0.1"/>
  <testcase classname="c" name="${shown[1].name}" time="0.1"/>
  <testcase classname="c" name="${shown[2].name}" time="0.1">
    <skipped/>
  </testcase>
</testsuite>
`;
    const out = rewriteJunit(xml, { ...result, scenarios: shown });
    assert.equal(out.skipped, undefined);
    assert.deepEqual(junitSummary(out.xml).skippedMessages, ['not run: interrupted (Ctrl-C)']);
    assert.match(out.xml, new RegExp(`<property name="accesstoken-conformance.interrupted" value="interrupted \\(Ctrl-C\\): ${rest.length + 1} scenarios not run"/>`));
  });
});
