// Writes the report files that cucumber does not (index.html, report.yaml, badge.svg), makes junit.xml
// agree with the gate, and passes every report file through the last redaction guard.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBadge } from './badge.ts';
import { renderHtml } from './html.ts';
import { rewriteJunit } from './junit.ts';
import { RedactionGuard } from './redact.ts';
import type { RunResult } from './results.ts';
import { renderYamlReport } from './yaml-report.ts';

export const REPORT_FILES = {
  html: 'index.html',
  yaml: 'report.yaml',
  badge: 'badge.svg',
  junit: 'junit.xml',
  cucumberHtml: 'cucumber.html',
  messages: 'messages.ndjson',
} as const;

/** Rewrites a file in place when the change leaves it different. */
function rewrite(path: string, change: (text: string) => string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const changed = change(text);
  if (changed !== text) writeFileSync(path, changed);
}

/** cucumber.html carries the run on one line of script; the rest is cucumber's own bundle. */
function guardCucumberHtml(text: string, guard: RedactionGuard): string {
  const start = text.indexOf('window.CUCUMBER_MESSAGES');
  if (start < 0) return guard.text(text);
  const end = text.indexOf('\n', start);
  const stop = end < 0 ? text.length : end;
  return text.slice(0, start) + guard.text(text.slice(start, stop)) + text.slice(stop);
}

export async function writeReports(result: RunResult, reportDir: string): Promise<string[]> {
  // every code the evidence hides is known here by its marker: the guard finds those codes anywhere
  const guard = RedactionGuard.fromTexts(JSON.stringify(result));
  const paths = {
    html: join(reportDir, REPORT_FILES.html),
    yaml: join(reportDir, REPORT_FILES.yaml),
    badge: join(reportDir, REPORT_FILES.badge),
  };
  writeFileSync(paths.html, renderHtml(result, { guard }));
  writeFileSync(paths.yaml, renderYamlReport(result, guard));
  writeFileSync(paths.badge, renderBadge(result));

  rewrite(join(reportDir, REPORT_FILES.junit), (xml) => guard.text(rewriteJunit(xml, result).xml));
  rewrite(join(reportDir, REPORT_FILES.messages), (text) => guard.text(text));
  rewrite(join(reportDir, REPORT_FILES.cucumberHtml), (text) => guardCucumberHtml(text, guard));
  return [paths.html, paths.yaml, paths.badge];
}
