// index.html as text: self-contained, escaped, redacted, and showing what the issue asks for.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { splitMessage } from '../../reports/html/failure.ts';
import { escapeHtml } from '../../reports/html/markup.ts';
import { renderHtml } from '../../reports/html/render.ts';
import { INJECTION, LEAKED_CODE, LEAKED_KEY, sampleGrantServiceResult, sampleResult } from './fixtures/sample-result.ts';
import { htmlMatrix } from './support.ts';

const result = sampleResult();
const html = renderHtml(result);

function between(text: string, start: string, end: string): string {
  const a = text.indexOf(start);
  return a < 0 ? '' : text.slice(a + start.length, text.indexOf(end, a + start.length));
}

describe('index.html', () => {
  test('is one file that loads nothing from elsewhere', () => {
    assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'one inline script');
    assert.doesNotMatch(html, /<script[^>]*\bsrc=/);
    assert.doesNotMatch(html, /<link\b/);
    assert.doesNotMatch(html, /<(img|iframe|object|embed|audio|video|source)\b/);
    assert.doesNotMatch(html, /url\(\s*['"]?(https?:)?\/\//);
    assert.doesNotMatch(html, /@import/);
  });

  test('allows only its own script and style, by hash, in its Content-Security-Policy', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src ${hash(between(html, '<script>', '</script>'))}`), csp);
    assert.ok(csp.includes(`style-src ${hash(between(html, '<style>', '</style>'))}`), csp);
  });

  test('escapes what implementations say: no tag from a message reaches the page', () => {
    assert.ok(!html.includes(INJECTION));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(!html.includes('<b>impl</b>'));
    assert.ok(html.includes(escapeHtml('<script>window.__injected = true</script>')));
    assert.ok(html.includes('sample &lt;b&gt;impl&lt;/b&gt;'));
  });

  test('links only http(s) and mailto addresses: a javascript: URL is shown as text', () => {
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.ok(html.includes('javascript:alert(1)'));
    assert.ok(html.includes('href="mailto:conformance@example.test"'));
    assert.ok(html.includes('href="https://example.test/issues/42"'));
  });

  test('shows no code and no private key, even when a failure message echoes them', () => {
    assert.ok(result.scenarios.some((s) => s.failure?.message.includes(LEAKED_CODE)), 'the sample does leak them');
    assert.ok(!html.includes(LEAKED_CODE));
    assert.ok(!html.includes(LEAKED_KEY.split('\n')[1]));
    assert.doesNotMatch(html, /BEGIN [A-Z ]*PRIVATE KEY/);
    assert.match(html, /\[redacted code: 24 bytes, sha256 [0-9a-f]{12}\]/);
    assert.match(html, /\[redacted private key\]/);
  });

  test('names the implementation, what it claims, the suite version, the date and the options', () => {
    for (const text of ['1.2.3', 'Example &amp; Co', '>status<', '>link-cost<', 'accesstoken-conformance 0.1.0', '2026-01-01 00:00:00 UTC', 'Settle timeout', '15 s']) {
      assert.ok(html.includes(text), text);
    }
  });

  test('states the verdict, partial when a MUST rule did not run', () => {
    assert.equal(result.verdict, 'Not conformant');
    assert.match(html, /<section class="verdict v-fail" id="verdict" data-verdict="Not conformant" data-partial="true" data-side="redeemer">/);
    assert.match(html, /class="partial"[^>]*>Partial</);
  });

  test('has one matrix row per requirement, with its result', () => {
    const rows = htmlMatrix(html);
    assert.equal(rows.size, result.requirements.length);
    for (const r of result.requirements) assert.equal(rows.get(r.id), r.result, r.id);
    assert.deepEqual(new Set(rows.values()), new Set(['passed', 'failed', 'warning', 'unsupported', 'not-run', 'expected-failure']));
  });

  test('opens each failure to its evidence: message, observed status, Secrets and Links, transcript', () => {
    const failures = result.scenarios.filter((s) => s.status === 'failed').length;
    assert.equal((html.match(/<details class="failure"/g) ?? []).length, failures);
    for (const heading of ['Expected against observed', 'AccessToken observed', 'Secrets and Links created', 'Grant service transcript', 'Reproduce']) {
      assert.equal(html.split(`<h4>${heading}`).length - 1, failures, heading);
    }
    assert.ok(html.includes('TLSv1.3'));
    assert.ok(html.includes('<b>POST</b>'));
    assert.ok(html.includes('expected AccessToken &quot;t&quot; to fail, but it was redeemed'));
    assert.ok(html.includes('--requirement AT-REQ-001'));
  });

  test('shows long certificates by size and hash instead of in full', () => {
    assert.ok(!html.includes('MIIBszCCAVmgAwIBAgIU'));
    assert.match(html, /\[certificate PEM: [\d.]+ (bytes|KiB), sha256 [0-9a-f]{12}\]/);
    assert.match(html, /\[base64 of a certificate PEM: /);
  });

  test('marks expected failures with their reason, and baseline entries that now pass', () => {
    assert.ok(html.includes('empty answers are accepted until v2'));
    const fixed = renderHtml(sampleResult({ failing: ['AT-REQ-001'], baseline: [{ id: 'AT-REQ-003', reason: 'was broken' }] }));
    assert.ok(fixed.includes('Now passing'));
    assert.ok(fixed.includes('listed in the baseline but passes now: remove it'));
  });

  test('offers filters by result and family, and expands every failure when printed', () => {
    assert.match(html, /<select id="filter-result">/);
    assert.match(html, /<select id="filter-family">[\s\S]*<option value="trust">/);
    assert.match(html, /@media print\{[\s\S]*details\.failure::details-content/);
    assert.match(html, /beforeprint/);
  });

  test('keeps a failure message apart from its stack trace', () => {
    const split = splitMessage('expected 1\n+ got 2\n    at World.<anonymous> (/x/steps.ts:1:2)\n    at async run (node:internal/x:1:1)');
    assert.equal(split.text, 'expected 1\n+ got 2');
    assert.match(split.stack, /^ {4}at World/);
  });
});

describe('index.html of a grant-service run', () => {
  const grantResult = sampleGrantServiceResult();
  const grantHtml = renderHtml(grantResult);

  test('names the side judged in its title, its summary and the run, and in the redeemer\'s too', () => {
    assert.match(grantHtml, /<title>sample grant service 2\.0\.0 \(grant service\): Not conformant<\/title>/);
    assert.match(grantHtml, /data-side="grant-service"/);
    assert.match(grantHtml, /<div class="facts">judged as a grant service · /);
    assert.match(grantHtml, /<dt>Side judged<\/dt><dd>grant service/);
    assert.match(html, /<title>sample &lt;b&gt;impl&lt;\/b&gt; 1\.2\.3 \(redeemer\): Not conformant/);
    assert.match(html, /<div class="facts">judged as a redeemer · /);
  });

  test('opens a failure to the AccessGrants the service showed and the suite\'s exchanges with it', () => {
    assert.equal((grantHtml.match(/<details class="failure"/g) ?? []).length, 1);
    for (const heading of ['Expected against observed', 'AccessGrants observed', 'Exchanges with the grant service', 'Reproduce']) {
      assert.equal(grantHtml.split(`<h4>${heading}`).length - 1, 1, heading);
    }
    for (const heading of ['AccessToken observed', 'Secrets and Links created', 'Grant service transcript']) assert.ok(!grantHtml.includes(`<h4>${heading}`), heading);
    assert.ok(grantHtml.includes('(3 requests)'));
    assert.ok(grantHtml.includes('tlsv1 alert protocol version'));
    assert.ok(grantHtml.includes('Issuing site issuing-1a2b3c4d'));
    assert.match(grantHtml, /npx accesstoken-conformance run --side grant-service --impl broken\/sample --requirement AT-/);
  });

  test('shows no code and no private key, and escapes what the service said', () => {
    assert.ok(!grantHtml.includes(LEAKED_CODE));
    assert.ok(!grantHtml.includes(LEAKED_KEY.split('\n')[1]));
    assert.doesNotMatch(grantHtml, /BEGIN [A-Z ]*PRIVATE KEY/);
    assert.match(grantHtml, /tls\.key: \[redacted private key\]/);
    assert.match(grantHtml, /code: (&quot;)?\[redacted code: 24 bytes, sha256 [0-9a-f]{12}\]/);
    assert.ok(!grantHtml.includes(INJECTION));
  });
});
