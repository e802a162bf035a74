// report.yaml and badge.svg from a known result: the fields docs/report-format.md promises.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { BADGE_COLOURS, renderBadge } from '../../reports/badge.ts';
import { renderYamlReport, REPORT_API_VERSION } from '../../reports/yaml-report.ts';
import { catalogue, LEAKED_CODE, sampleGrantServiceResult, sampleResult } from './fixtures/sample-result.ts';
import type { ReportYaml } from './support.ts';

const result = sampleResult();
const text = renderYamlReport(result);
const report = parse(text) as ReportYaml & { suite: { version: string }; date: string; options: Record<string, unknown> };

describe('report.yaml', () => {
  test('is a ConformanceReport of this apiVersion', () => {
    assert.equal(report.apiVersion, REPORT_API_VERSION);
    assert.equal(report.kind, 'ConformanceReport');
  });

  test('says which side it judged: redeemer by default, grant-service for a grant-service run', () => {
    assert.equal(report.side, 'redeemer');
    const grant = parse(renderYamlReport(sampleGrantServiceResult())) as ReportYaml;
    assert.equal(grant.side, 'grant-service');
    assert.ok(grant.requirements.length > 0 && grant.requirements.every((r) => /^AT-/.test(r.id)));
    assert.ok(!renderYamlReport(sampleGrantServiceResult()).includes(LEAKED_CODE));
  });

  test('carries the implementation metadata, suite version, date and mode', () => {
    assert.deepEqual(report.implementation, {
      name: 'sample <b>impl</b>', version: '1.2.3', organization: 'Example & Co', url: 'javascript:alert(1)', contact: 'conformance@example.test', features: ['status', 'link-cost'],
    });
    assert.equal(report.suite.version, '0.1.0');
    assert.equal(report.date, '2026-01-01T00:00:14.000Z');
    assert.equal(report.mode, 'full');
    assert.deepEqual(report.selection, { tags: null, requirements: [] });
  });

  test('calls a run filtered when tags or requirement IDs narrowed it', () => {
    const filtered = parse(renderYamlReport(sampleResult({ options: { impl: 'reference', tags: 'not @slow', requirements: ['AT-REQ-001'] } }))) as ReportYaml;
    assert.equal(filtered.mode, 'filtered');
    assert.deepEqual(filtered.selection, { tags: 'not @slow', requirements: ['AT-REQ-001'] });
  });

  test('gives the verdict, the partial flag and MUST n/m', () => {
    assert.deepEqual(report.result, {
      verdict: 'Not conformant',
      partial: true,
      must: { passed: result.mustPassed, total: result.mustTotal, summary: `${result.mustPassed}/${result.mustTotal}` },
      stoppedAnswering: null,
      interrupted: null,
    });
  });

  test('counts each family and each feature, and the counts add up to the catalogue', () => {
    const families = Object.values(report.families);
    assert.equal(families.reduce((n, c) => n + c.total, 0), catalogue.length);
    for (const c of [...families, ...Object.values(report.features), report.summary]) {
      assert.equal(c.passed + c.failed + c.warning + c.unsupported + c.skipped + c.expectedFailure, c.total);
    }
    const requestRules = catalogue.filter((r) => r.family === 'request').length;
    assert.deepEqual(report.families.request, { total: requestRules, passed: requestRules - 2, failed: 1, warning: 0, unsupported: 0, skipped: 1, expectedFailure: 0 });
    assert.equal(report.features.core.total, catalogue.filter((r) => r.features.length === 0).length);
    assert.equal(report.features.resync.unsupported, 1);
  });

  test('lists failed, warning, unsupported and skipped requirement IDs, and the expected failures with their reasons', () => {
    assert.deepEqual(report.failedRequirements, ['AT-REQ-001']);
    assert.deepEqual(report.warningRequirements, ['AT-MSG-001']);
    assert.deepEqual(report.unsupportedRequirements, ['AT-COND-004']);
    assert.deepEqual(report.skippedRequirements, ['AT-REQ-007']);
    assert.deepEqual(report.expectedFailures, [{ id: 'AT-RESP-005', reason: 'empty answers are accepted until v2', link: 'https://example.test/issues/42' }]);
    assert.deepEqual(report.nowPassing, []);
  });

  test('lists baseline entries whose requirement now passes', () => {
    const fixed = parse(renderYamlReport(sampleResult({ baseline: [{ id: 'AT-REQ-003', reason: 'was broken' }] }))) as ReportYaml;
    assert.deepEqual(fixed.nowPassing, [{ id: 'AT-REQ-003', reason: 'was broken' }]);
  });

  test('has every requirement with its result, in catalogue order, for diffing between versions', () => {
    assert.deepEqual(report.requirements.map((r) => r.id), catalogue.map((r) => r.id));
    assert.equal(report.requirements.find((r) => r.id === 'AT-RESP-005')?.result, 'expected-failure');
  });

  test('counts scenarios as junit.xml will: failures apart from expected failures and skips', () => {
    const s = report.scenarios;
    assert.equal(s.total, result.scenarios.length);
    assert.equal(s.failed, 2);
    assert.equal(s.expectedFailure, 1);
    assert.equal(s.passed + s.failed + s.expectedFailure + s.unsupported + s.skipped, s.total);
  });

  test('holds no code, even one a message leaked', () => {
    assert.ok(!text.includes(LEAKED_CODE));
  });
});

describe('badge.svg', () => {
  test('shows n/m MUST in the colour of the verdict', () => {
    const svg = renderBadge(result);
    assert.match(svg, new RegExp(`${result.mustPassed}/${result.mustTotal} MUST`));
    assert.ok(svg.includes(`fill="${BADGE_COLOURS['Not conformant']}"`));
    assert.match(svg, /not conformant \(partial\)/);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*role="img" aria-label="AccessToken: /);
  });

  test('is green for a conformant run and yellow with warnings', () => {
    const clean = sampleResult({ failing: [], notRun: [], unsupported: [], baseline: [] });
    assert.equal(clean.verdict, 'Conformant');
    assert.ok(renderBadge(clean).includes(`fill="${BADGE_COLOURS.Conformant}"`));
    assert.ok(renderBadge(clean).includes(`>conformant · ${clean.mustTotal}/${clean.mustTotal} MUST<`));
    const warned = sampleResult({ failing: ['AT-MSG-001'], notRun: [], unsupported: [], baseline: [] });
    assert.ok(renderBadge(warned).includes(`fill="${BADGE_COLOURS['Conformant with warnings']}"`));
  });
});
