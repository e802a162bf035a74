// The junit.xml pass: requirement IDs in testcase names, expected failures as skipped, totals recounted,
// implementation text in CDATA left alone, and anything unexpected left as cucumber wrote it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nameWithIds, rewriteJunit, scanTags } from '../../reports/junit.ts';
import type { RunResult, ScenarioResult } from '../../reports/results.ts';
import { summarise } from '../../reports/rollup.ts';
import { catalogue } from './fixtures/sample-result.ts';
import { junitSummary } from './support.ts';

const [r1, r2, r3] = catalogue.filter((r) => r.family === 'request');

function scenario(id: string, name: string, status: ScenarioResult['status'], line: number): ScenarioResult {
  return { name, uri: 'features/request.feature', line, requirementIds: [id], status, durationMs: 1, unsupported: [], failure: status === 'failed' ? { step: 'x', message: 'boom' } : undefined };
}

function result(scenarios: ScenarioResult[], baseline = [{ id: r2.id, reason: 'known & tracked', link: 'https://example.test/1' }]): RunResult {
  return {
    suite: { name: 'accesstoken-conformance', version: '0.1.0' },
    implementation: { name: 'impl', version: '1', features: [] },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    options: {},
    scenarios,
    ...summarise(catalogue, scenarios, baseline),
  };
}

// what cucumber's formatter writes: "<rule> - <scenario>", here with a rule name that lacks its ID
const XML = `<?xml version="1.0"?>
<testsuite name="accesstoken-conformance impl" time="0.3" tests="3" skipped="0" failures="2" errors="0" timestamp="2026-01-01T00:00:00Z">
  <testcase classname="The redemption request" name="${r1.id} ${r1.statement.replace(/"/g, '&quot;')} - first" time="0.1">
    <failure type="AssertionError" message="expected &quot;x&quot;"><![CDATA[AssertionError: expected "x"
  <testcase name="fake inside CDATA"> </failure> ]]></failure>
    <system-out><![CDATA[Given a grant....passed]]></system-out>
  </testcase>
  <testcase classname="The redemption request" name="Rule without an ID - second" time="0.1">
    <failure type="AssertionError" message="boom"><![CDATA[boom]]></failure>
  </testcase>
  <testcase classname="The redemption request" name="Rule without an ID - third" time="0.1"/>
</testsuite>
`;

const scenarios = [scenario(r1.id, 'first', 'failed', 10), scenario(r2.id, 'second', 'failed', 20), scenario(r3.id, 'third', 'passed', 30)];

describe('the junit.xml pass', () => {
  test('reads tags past CDATA that holds tag-like text', () => {
    const names = scanTags(XML).filter((t) => t.name === 'testcase' && !t.closing).map((t) => t.attrs.get('name'));
    assert.equal(names.length, 3);
    assert.ok(!names.includes('fake inside CDATA'));
  });

  test('starts every testcase name with its requirement ID, adding it only where it is missing', () => {
    const out = junitSummary(rewriteJunit(XML, result(scenarios)).xml);
    assert.ok(out.names[0].startsWith(`${r1.id} ${r1.statement}`));
    assert.ok(!out.names[0].startsWith(`${r1.id} ${r1.id}`));
    assert.equal(out.names[1], `${r2.id} Rule without an ID - second`);
    assert.equal(out.names[2], `${r3.id} Rule without an ID - third`);
  });

  test('reports a failure the baseline expects as skipped, with the reason, and recounts the totals', () => {
    const { xml } = rewriteJunit(XML, result(scenarios));
    const out = junitSummary(xml);
    assert.deepEqual({ tests: out.tests, failures: out.failures, skipped: out.skipped, errors: out.errors }, { tests: 3, failures: 1, skipped: 1, errors: 0 });
    assert.deepEqual(out.skippedMessages, [`expected failure (baseline) ${r2.id}: known & tracked (https://example.test/1)`]);
    assert.match(xml, /<skipped message="[^"]*"><!\[CDATA\[AssertionError: boom\n\]\]><!\[CDATA\[boom\]\]><\/skipped>/);
    assert.ok(xml.includes(']]></failure>'), 'the other failure is kept');
  });

  test('adds the verdict and MUST n/m as testsuite properties', () => {
    const { xml } = rewriteJunit(XML, result(scenarios));
    assert.match(xml, /<properties>[\s\S]*<property name="accesstoken-conformance.verdict" value="Not conformant"\/>[\s\S]*<\/properties>/);
    assert.match(xml, /<property name="accesstoken-conformance.must" value="\d+\/\d+"\/>/);
  });

  test('produces XML that still parses, with the CDATA text unchanged', () => {
    const { xml } = rewriteJunit(XML, result(scenarios));
    const tags = scanTags(xml);
    const opened = tags.filter((t) => !t.closing && !t.selfClosing).map((t) => t.name);
    const closed = tags.filter((t) => t.closing).map((t) => t.name);
    assert.deepEqual([...opened].sort(), [...closed].sort());
    assert.ok(xml.includes('<testcase name="fake inside CDATA"> </failure> ]]>'));
  });

  test('leaves the file as it was when testcases and scenarios do not match', () => {
    const out = rewriteJunit(XML, result(scenarios.slice(0, 2)));
    assert.equal(out.xml, XML);
    assert.match(out.skipped ?? '', /3 testcases for 2 scenarios/);
    const renamed = rewriteJunit(XML, result([scenarios[0], scenario(r2.id, 'another', 'failed', 20), scenarios[2]]));
    assert.equal(renamed.xml, XML);
  });

  test('leaves a file it cannot read alone', () => {
    const broken = '<testsuite tests="1"><testcase name="x"><![CDATA[never closed';
    assert.equal(rewriteJunit(broken, result(scenarios)).xml, broken);
  });

  test('recognises IDs already at the start of a name', () => {
    assert.equal(nameWithIds('AT-REQ-001 x', ['AT-REQ-001']), 'AT-REQ-001 x');
    assert.equal(nameWithIds('x', ['AT-REQ-001', 'AT-REQ-002']), 'AT-REQ-001 AT-REQ-002 x');
  });

  test('keeps the baseline reason readable when it holds XML special characters', () => {
    const { xml } = rewriteJunit(XML, result(scenarios, [{ id: r2.id, reason: '<"quoted"> & more', link: 'https://example.test/1' }]));
    assert.deepEqual(junitSummary(xml).skippedMessages, [`expected failure (baseline) ${r2.id}: <"quoted"> & more (https://example.test/1)`]);
  });
});
