// The small pieces of index.html's markup that the page and its failures share: escaping, the guard every
// string passes, links, badges and the command that reproduces a run.
import { OUTCOME_LABELS, type scenarioOutcome } from '../counts.ts';
import { shellQuote } from '../../model/text.ts';
import { sideOf, type RequirementResult, type RunResult } from '../results.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The last guard, applied to every string from a run before it is escaped. */
export type Guard = (text: string) => string;

/** A link only for http(s) and mailto: anything else is shown as text. */
export function link(href: string | undefined, text: string, g: Guard): string {
  if (!href) return '';
  const safe = g(href);
  return /^(https?:\/\/|mailto:)/i.test(safe)
    ? `<a href="${escapeHtml(safe)}" rel="noopener noreferrer">${escapeHtml(g(text))}</a>`
    : escapeHtml(safe);
}

/** The command that runs the same selection again (or one requirement); option values are left out. */
export function reproduceCommand(result: RunResult, requirementId?: string): string {
  const o = result.options;
  const words = ['npx', 'accesstoken-conformance', 'run'];
  if (sideOf(result) === 'grant-service') words.push('--side', 'grant-service');
  words.push('--impl', String(o.impl ?? 'reference'));
  const keys = Array.isArray(o.implOptions) ? (o.implOptions as string[]) : [];
  for (const k of keys) words.push('--impl-option', `${k}=…`);
  if (requirementId) words.push('--requirement', requirementId);
  else {
    if (typeof o.tags === 'string' && o.tags) words.push('--tags', o.tags);
    for (const id of Array.isArray(o.requirements) ? (o.requirements as string[]) : []) words.push('--requirement', id);
  }
  return words.map((w) => (w.endsWith('=…') ? w : shellQuote(w))).join(' ');
}

export function resultBadge(outcome: RequirementResult['result']): string {
  return `<span class="result r-${outcome}">${OUTCOME_LABELS[outcome]}</span>`;
}

export function scenarioBadge(outcome: ReturnType<typeof scenarioOutcome>): string {
  const label = { passed: 'passed', failed: 'failed', 'expected-failure': 'expected failure', unsupported: 'unsupported', skipped: 'not run' }[outcome];
  return `<span class="s-status s-${outcome}">${label}</span>`;
}
