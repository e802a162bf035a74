// summary.md: the verdict, the table per family, the failures and warnings, for a job's page and a
// pull-request comment. Rendered from the sample result (a MUST failure, a SHOULD warning, an expected
// failure, messages that try HTML and echo a code and a private key), then under pressure: every rule
// failing with long messages must still fit a comment.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { countsByFamily, families } from '../../reports/counts.ts';
import { DETAIL_BUDGET, MARKDOWN_LIMIT, renderMarkdown } from '../../reports/markdown.ts';
import { STOPPED_ANSWERING, type RunResult } from '../../reports/results.ts';
import { writeReports } from '../../reports/write.ts';
import { INJECTION, LEAKED_CODE, LEAKED_KEY, sampleGrantServiceResult, sampleResult } from './fixtures/sample-result.ts';
import { secretShapes, tempDir } from './support.ts';

/** The document without its fenced code blocks; throws when a fence is left open. */
function outsideCode(md: string): string {
  const kept: string[] = [];
  let open: string | undefined;
  for (const line of md.split('\n')) {
    const fence = /^\s*(`{3,})(.*)$/.exec(line);
    if (open === undefined && fence) open = fence[1];
    else if (open !== undefined && fence && fence[1].length >= open.length && fence[2].trim() === '') open = undefined;
    else if (open === undefined) kept.push(line);
  }
  assert.equal(open, undefined, 'every code block is closed');
  return kept.join('\n');
}

/** A table's rows as cells (split on pipes that are not escaped). */
function tableRows(md: string): string[][] {
  return md.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

function section(md: string, heading: string): string {
  const start = md.indexOf(heading);
  assert.ok(start >= 0, `no section ${heading}`);
  const next = md.indexOf('\n### ', start + heading.length);
  const end = md.indexOf('\n---\n', start);
  return md.slice(start, next >= 0 ? next : end);
}

const keyLines = LEAKED_KEY.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));

describe('summary.md', () => {
  const result = sampleResult();
  const md = renderMarkdown(result);

  test('opens with the verdict as the console and index.html word it, partial included, and the implementation and side', () => {
    assert.match(md, /^## ❌ AccessToken conformance: Not conformant \(partial\)\n/);
    assert.match(md, /\*\*sample \\<b\\>impl\\<\/b\\> 1\.2\.3\*\* judged as a \*\*redeemer\*\*/);
    assert.match(md, new RegExp(`${result.mustPassed}/${result.mustTotal} MUST rules passed`));
    assert.match(md, /> \*\*Partial\*\*: 1 MUST rule did not run/);
    const warnings = sampleResult({ failing: ['AT-MSG-001'], notRun: [], unsupported: [], baseline: [] });
    assert.match(renderMarkdown(warnings), /^## ⚠️ AccessToken conformance: Conformant with warnings\n/);
    const clean = sampleResult({ failing: [], notRun: [], unsupported: [], baseline: [] });
    assert.match(renderMarkdown(clean), /^## ✅ AccessToken conformance: Conformant\n/);
    assert.doesNotMatch(renderMarkdown(clean), /### ❌ Failures|### ⚠️ Warnings|Partial/);
    assert.match(renderMarkdown(sampleGrantServiceResult()), /\*\*sample grant service 2\.0\.0\*\* judged as a \*\*grant service\*\*/);
  });

  test('has a table per family whose counts are report.yaml\'s', () => {
    const rows = tableRows(md);
    const [head, align, ...body] = rows;
    assert.deepEqual(head, ['Family', 'Rules', 'Passed', 'Failed', 'Warning', 'Expected failure', 'Unsupported', 'Not run']);
    assert.ok(rows.every((r) => r.length === head.length), 'every row has every column');
    assert.ok(align.every((c) => /^-+:?$/.test(c)));
    const byFamily = countsByFamily(result);
    assert.deepEqual(body.slice(0, -1).map((r) => r[0]), families(result));
    for (const row of body.slice(0, -1)) {
      const c = byFamily[row[0]];
      assert.deepEqual(row.slice(1).map((x) => Number(x.replace(/\*/g, ''))), [c.total, c.passed, c.failed, c.warning, c.expectedFailure, c.unsupported, c.skipped], row[0]);
    }
    assert.equal(body.at(-1)![0], '**All**');
    assert.equal(Number(body.at(-1)![1]), result.requirements.length);
  });

  test('details each failure: requirement ID, level, statement, the failing scenario and what was expected against what was observed', () => {
    const failures = section(md, '### ❌ Failures (1)');
    const req = result.requirements.find((r) => r.id === 'AT-REQ-001')!;
    const scenario = req.scenarioResults.find((s) => s.status === 'failed')!;
    assert.match(failures, /^- \*\*AT-REQ-001\*\* \(MUST, request\) /m);
    assert.ok(failures.includes(req.statement), 'the statement');
    assert.ok(failures.includes(`Scenario *${scenario.name}* (\`features/${req.file}:${scenario.line}\`), at the step *the token fails*`));
    assert.match(failures, /```text\n\s+expected AccessToken "t" to fail, but it was redeemed/);
    assert.ok(!failures.includes('at ConformanceWorld'), 'no stack trace');
  });

  test('then the warnings, then the expected failures with their reason and link', () => {
    assert.ok(md.indexOf('### ❌ Failures') < md.indexOf('### ⚠️ Warnings (1)'));
    assert.match(section(md, '### ⚠️ Warnings (1)'), /^- \*\*AT-MSG-001\*\* \(SHOULD, messages\)/m);
    assert.ok(md.indexOf('### ⚠️ Warnings') < md.indexOf('### Expected failures (1)'));
    assert.match(md, /- \*\*AT-RESP-005\*\* \(MUST\) .* — baseline: empty answers are accepted until v2 \(\[link\]\(https:\/\/example\.test\/issues\/42\)\)/);
    assert.match(md, /```sh\nnpx accesstoken-conformance run --impl reference\n```\n$/);
  });

  test('holds no code and no private key, and no markup an implementation wrote outside a code block', () => {
    assert.ok(!md.includes(LEAKED_CODE), 'the code');
    for (const line of keyLines) assert.ok(!md.includes(line), 'a private key line');
    assert.deepEqual(secretShapes(md), []);
    assert.match(md, /\[redacted code: 24 bytes, sha256 [0-9a-f]{12}\]/);
    assert.match(md, /\[redacted private key\]/);
    const prose = outsideCode(md);
    assert.ok(md.includes(INJECTION), 'shown as it was, in a code block');
    assert.doesNotMatch(prose, /(?<!\\)<(script|img|b)\b/i, 'markup outside a code block is escaped');
  });

  test('stays under a pull-request comment\'s limit however much fails, listing what it cannot detail', () => {
    const all = sampleResult({ failing: sampleResult().requirements.map((r) => r.id), notRun: [], unsupported: [], baseline: [] });
    const long = `expected ${'x'.repeat(200)}\n`.repeat(400);
    const huge: RunResult = {
      ...all,
      implementation: { ...all.implementation, name: 'n'.repeat(100_000) },
      requirements: all.requirements.map((r) => ({
        ...r,
        scenarioResults: r.scenarioResults.map((s) => (s.failure ? { ...s, failure: { ...s.failure, message: `${long}\`\`\`\`\n${LEAKED_CODE}` } } : s)),
      })),
    };
    const out = renderMarkdown(huge);
    assert.ok(out.length <= MARKDOWN_LIMIT, `${out.length} characters`);
    outsideCode(out);
    assert.match(out, /… \(\d+ more lines: see index\.html\)/, 'messages are cut');
    const failures = huge.requirements.filter((r) => r.result === 'failed').length;
    assert.ok(out.includes(`### ❌ Failures (${failures})`));
    const detailed = (out.match(/^ {4}```+text$/gm) ?? []).length;
    assert.ok(detailed > 3 && detailed * 1_000 < DETAIL_BUDGET + 5_000, `${detailed} messages shown`);
    assert.match(out, /^- \*\*AT-[A-Z]+-\d{3}\*\* \(MUST\) [^\n]*\(scenario \*/m, 'then one line each');
    assert.match(out, /```sh\nnpx accesstoken-conformance run/, 'the closing lines are kept');
    assert.ok(!out.includes(LEAKED_CODE));
  });

  test('says when the implementation stopped answering, and why the rest was not run', () => {
    const stopped: RunResult = {
      ...sampleResult(),
      stoppedAnswering: { reason: STOPPED_ANSWERING, details: ['apply() timed out after 8 s, three calls in a row'], scenariosNotRun: 12, requirementsNotRun: ['AT-REQ-002', 'AT-REQ-003'] },
    };
    assert.match(renderMarkdown(stopped), /^> \*\*Not run: the implementation stopped answering\.\*\* 12 scenarios \(2 requirements\) were not run against it; an implementation that stops answering is not conformant\.\n> - apply\(\) timed out after 8 s, three calls in a row$/m);
    assert.doesNotMatch(md, /stopped answering/);
  });

  test('a message holding a code fence gets a longer fence', () => {
    const fenced = sampleResult({ failing: ['AT-REQ-001'], notRun: [], unsupported: [], baseline: [] });
    const s = fenced.requirements.find((r) => r.id === 'AT-REQ-001')!.scenarioResults.find((x) => x.failure)!;
    s.failure!.message = 'expected:\n```\nnot the end\n```\n## not a heading';
    const out = renderMarkdown(fenced);
    assert.match(out, /````text\n {4}expected:\n {4}```\n {4}not the end\n {4}```\n {4}## not a heading\n {4}````/);
    assert.doesNotMatch(outsideCode(out), /not a heading/);
  });

  test('is written with the other reports, through the same guard', async () => {
    const dir = tempDir();
    const files = await writeReports(result, dir);
    assert.ok(files.includes(join(dir, 'summary.md')));
    assert.ok(existsSync(join(dir, 'summary.md')));
    const written = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.equal(written, md);
    assert.ok(!written.includes(LEAKED_CODE));
  });
});
