// Writes the report files that cucumber does not (index.html, report.yaml, badge.svg, summary.md), makes
// junit.xml agree with the gate, and passes every report file through the last redaction guard.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBadge } from './badge.ts';
import { renderHtml } from './html/render.ts';
import { rewriteJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { RedactionGuard } from './redaction-guard.ts';
import type { RunResult } from './results.ts';
import { renderYamlReport } from './yaml-report.ts';

export const REPORT_FILES = {
  html: 'index.html',
  yaml: 'report.yaml',
  badge: 'badge.svg',
  markdown: 'summary.md',
  junit: 'junit.xml',
  cucumberHtml: 'cucumber.html',
  messages: 'messages.ndjson',
} as const;

/** Rewrites a file in place when the change leaves it different; says whether it did. */
function rewrite(path: string, change: (text: string) => string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const changed = change(text);
  if (changed === text) return false;
  writeFileSync(path, changed);
  return true;
}

// Envelopes built from the feature files and the step code alone: no implementation's words, no code.
const STATIC_ENVELOPES = ['meta', 'source', 'gherkinDocument', 'pickle', 'stepDefinition', 'hook', 'parameterType', 'testCase', 'testRunStarted', 'testCaseStarted', 'testStepStarted'];

/** messages.ndjson: the guard on every envelope that can carry what a scenario saw. */
function guardMessages(text: string, guard: RedactionGuard): string {
  return text
    .split('\n')
    .map((line) => {
      const type = /^\{"([A-Za-z]+)"/.exec(line)?.[1];
      return type && STATIC_ENVELOPES.includes(type) ? line : guard.text(line);
    })
    .join('\n');
}

/**
 * cucumber.html embeds the same envelopes on one line of script, beside cucumber's own bundle: the codes
 * found in messages.ndjson are replaced by a plain search, private keys by the guard where a key shows.
 */
function guardCucumberHtml(text: string, guard: RedactionGuard): string {
  const start = text.indexOf('window.CUCUMBER_MESSAGES');
  const end = start < 0 ? -1 : text.indexOf('\n', start);
  const [head, line, tail] = start < 0 ? ['', text, ''] : [text.slice(0, start), text.slice(start, end < 0 ? text.length : end), end < 0 ? '' : text.slice(end)];
  let out = guard.foundCodes(line);
  if (out.includes('PRIVATE KEY') || out.includes('LS0tLS1CRUdJT')) out = new RedactionGuard().text(out);
  return head + out + tail;
}

export async function writeReports(result: RunResult, reportDir: string): Promise<string[]> {
  // every code the evidence hides is known here by its marker: the guard finds those codes anywhere
  const guard = RedactionGuard.fromTexts(JSON.stringify(result));
  const paths = {
    html: join(reportDir, REPORT_FILES.html),
    yaml: join(reportDir, REPORT_FILES.yaml),
    badge: join(reportDir, REPORT_FILES.badge),
    markdown: join(reportDir, REPORT_FILES.markdown),
  };
  writeFileSync(paths.html, renderHtml(result, { guard }));
  writeFileSync(paths.yaml, renderYamlReport(result, guard));
  writeFileSync(paths.badge, renderBadge(result));
  writeFileSync(paths.markdown, renderMarkdown(result, { guard }));

  rewrite(join(reportDir, REPORT_FILES.junit), (xml) => guard.text(rewriteJunit(xml, result).xml));
  // cucumber.html holds the same envelopes as messages.ndjson: when those needed nothing, neither does it
  if (rewrite(join(reportDir, REPORT_FILES.messages), (text) => guardMessages(text, guard))) {
    rewrite(join(reportDir, REPORT_FILES.cucumberHtml), (text) => guardCucumberHtml(text, guard));
  }
  return [paths.html, paths.yaml, paths.badge, paths.markdown];
}
