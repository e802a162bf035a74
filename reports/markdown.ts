// summary.md: the run in GitHub-flavoured Markdown, for a CI job's page ($GITHUB_STEP_SUMMARY) and a
// pull-request comment. The verdict as the console and index.html word it, the implementation and the
// side judged, a table per family, the failures (requirement, level, statement, the failing scenario and
// what was expected against what was observed), then the warnings, the expected failures and the
// baseline entries that pass now. The evidence itself stays in index.html.
//
// Bounded: GitHub takes at most 65,536 characters in a comment and 1 MiB in a step summary, so the
// document stays under MARKDOWN_LIMIT characters: messages are cut, failures are detailed while the
// detail budget lasts and listed by ID after that. Everything from a run passes the last guard, before it
// is cut (a code cut in half would no longer be recognised) and once more as a whole.
import { abbreviateText } from './abbreviate.ts';
import { countOutcomes, countScenarios, countsByFamily, families, formatDuration, OUTCOME_LABELS, runMode, type OutcomeCounts } from './counts.ts';
import { splitMessage } from './html/failure.ts';
import { reproduceCommand } from './html/markup.ts';
import { RedactionGuard } from './redaction-guard.ts';
import { SIDE_LABELS, sideOf, type RequirementResult, type RunResult, type ScenarioResult, type Verdict } from './results.ts';
import { redactText } from '../model/redact.ts';

/** The whole document stays under this many characters: a pull-request comment holds 65,536. */
export const MARKDOWN_LIMIT = 60_000;
/** Failure and warning details (with their messages) stop at this many characters; one line each after. */
export const DETAIL_BUDGET = 36_000;
/** A message shows at most this many lines and characters. */
export const MESSAGE_LINES = 12;
export const MESSAGE_CHARS = 1_000;
/** Failing scenarios detailed per requirement. */
const SCENARIOS_PER_REQUIREMENT = 3;
/** Any one inline value (a name, a statement, a reason) is cut to this many characters. */
const INLINE_CHARS = 300;

export const VERDICT_MARKS: Record<Verdict, string> = {
  Conformant: '✅',
  'Conformant with warnings': '⚠️',
  'Not conformant': '❌',
};

type Guard = (text: string) => string;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Inline text: one line, cut, Markdown and HTML characters escaped (table cells included). */
export function inlineMarkdown(text: string, max = INLINE_CHARS): string {
  return cut(text.replace(/\s+/g, ' ').trim(), max).replace(/[\\`*_[\]<>|~#&!]/g, (c) => `\\${c}`);
}

/** Text as an inline code span, whatever backticks it holds. */
function codeSpan(text: string, max = INLINE_CHARS): string {
  const t = cut(text.replace(/\s+/g, ' '), max);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A fenced code block whose fence no line of the text can close. */
function codeBlock(text: string, info = 'text'): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** A failure's message, guarded whole, then without its stack, abbreviated and cut. */
function message(s: ScenarioResult, g: Guard): string {
  const { text } = splitMessage(g(s.failure?.message ?? ''));
  const lines = abbreviateText(text.trim() || '(no message)').split('\n');
  let shown = lines.slice(0, MESSAGE_LINES).join('\n');
  let left = lines.length - Math.min(lines.length, MESSAGE_LINES);
  if (shown.length > MESSAGE_CHARS) {
    left += shown.slice(MESSAGE_CHARS).split('\n').length - 1;
    shown = `${shown.slice(0, MESSAGE_CHARS)}…`;
  }
  return left > 0 ? `${shown}\n… (${left} more line${left === 1 ? '' : 's'}: see index.html)` : shown;
}

/** The verdict's heading, as the console and index.html word it. */
export function verdictHeading(result: RunResult): string {
  return `## ${VERDICT_MARKS[result.verdict]} AccessToken conformance: ${result.verdict}${result.interrupted ? ' (partial: interrupted)' : result.partial ? ' (partial)' : ''}`;
}

function factsLine(result: RunResult, g: Guard): string {
  const impl = result.implementation;
  const side = SIDE_LABELS[sideOf(result)];
  const should = result.requirements.filter((r) => r.level === 'SHOULD');
  const scenarios = countScenarios(result);
  const started = new Date(result.startedAt).getTime();
  const finished = new Date(result.finishedAt).getTime();
  const tags = result.options.tags;
  const mode = runMode(result) === 'filtered'
    ? `filtered run${typeof tags === 'string' && tags ? ` (tags ${codeSpan(g(tags))})` : ''}`
    : 'full run';
  return [
    `**${inlineMarkdown(g(impl.name))}${impl.version ? ` ${inlineMarkdown(g(impl.version))}` : ''}** judged as a **${side}**`,
    `${result.mustPassed}/${result.mustTotal} MUST rules passed`,
    `${should.filter((r) => r.result === 'passed').length}/${should.length} SHOULD rules passed`,
    `${scenarios.passed}/${scenarios.total} scenarios passed`,
    mode,
    ...(Number.isFinite(finished - started) ? [formatDuration(finished - started)] : []),
    `${inlineMarkdown(g(result.suite.name))} ${inlineMarkdown(g(result.suite.version))}`,
  ].join(' · ');
}

function countRow(name: string, c: OutcomeCounts): string {
  const cells = [c.passed, c.failed, c.warning, c.expectedFailure, c.unsupported, c.skipped];
  const bold = [false, true, true, false, false, false];
  return `| ${name} | ${c.total} | ${cells.map((n, i) => (n > 0 && bold[i] ? `**${n}**` : String(n))).join(' | ')} |`;
}

/** The table per family: rules, then each outcome's count. */
function familyTable(result: RunResult, g: Guard): string {
  const order = ['passed', 'failed', 'warning', 'expected-failure', 'unsupported', 'not-run'] as const;
  const byFamily = countsByFamily(result);
  return [
    `| Family | Rules | ${order.map((o) => OUTCOME_LABELS[o]).join(' | ')} |`,
    `|---|---:|${order.map(() => '---:').join('|')}|`,
    ...families(result).map((f) => countRow(inlineMarkdown(g(f)), byFamily[f])),
    countRow('**All**', countOutcomes(result.requirements)),
  ].join('\n');
}

/** The scenario's place in the catalogue: features/…, however far the run's directory was from it. */
function where(s: ScenarioResult): string {
  return codeSpan(`${s.uri.replace(/\\/g, '/').replace(/^(?:.*\/)?(features\/)/, '$1')}${s.line !== undefined ? `:${s.line}` : ''}`);
}

/** A failing requirement in full: its ID, level, family and statement, each failing scenario and its message. */
function detail(r: RequirementResult, g: Guard): string {
  const failing = r.scenarioResults.filter((s) => s.status === 'failed');
  const parts = [`- **${inlineMarkdown(r.id)}** (${r.level}, ${inlineMarkdown(g(r.family))}) ${inlineMarkdown(g(r.statement))}`];
  for (const s of failing.slice(0, SCENARIOS_PER_REQUIREMENT)) {
    const step = s.failure?.step ? `, at the step *${inlineMarkdown(g(s.failure.step))}*` : '';
    parts.push(`  - Scenario *${inlineMarkdown(g(s.name))}* (${where(s)})${step}:`);
    parts.push(codeBlock(message(s, g)).replace(/^/gm, '    '));
  }
  const more = failing.length - Math.min(failing.length, SCENARIOS_PER_REQUIREMENT);
  if (more > 0) parts.push(`  - … and ${more} more failing scenario${more === 1 ? '' : 's'}: see index.html`);
  if (r.expected) parts.push(`  - Expected by the baseline: ${inlineMarkdown(g(r.expected.reason))}`);
  return parts.join('\n');
}

/** A failing requirement on one line: once the detail budget is spent. */
function oneLine(r: RequirementResult, g: Guard): string {
  const failing = r.scenarioResults.filter((s) => s.status === 'failed');
  const first = failing[0] ? ` (scenario *${inlineMarkdown(g(failing[0].name), 120)}*${failing.length > 1 ? ` and ${failing.length - 1} more` : ''})` : '';
  return `- **${inlineMarkdown(r.id)}** (${r.level}) ${inlineMarkdown(g(r.statement), 160)}${first}`;
}

/** Blocks added while they fit, the room for the closing lines kept. */
class Document {
  private readonly blocks: string[] = [];
  private used = 0;
  detailUsed = 0;

  constructor(private readonly limit: number) {}

  fits(block: string, reserve = 0): boolean {
    return this.used + block.length + 2 + reserve <= this.limit;
  }

  add(block: string): void {
    this.blocks.push(block);
    this.used += block.length + 2;
  }

  text(): string {
    return `${this.blocks.join('\n\n')}\n`;
  }
}

const MORE_NOTE_ROOM = 120;

function section(doc: Document, title: string, requirements: RequirementResult[], g: Guard, word: string): void {
  if (requirements.length === 0) return;
  const heading = `### ${title} (${requirements.length})`;
  if (!doc.fits(heading, MORE_NOTE_ROOM)) return;
  doc.add(heading);
  for (const [i, r] of requirements.entries()) {
    const full = detail(r, g);
    if (doc.detailUsed + full.length <= DETAIL_BUDGET && doc.fits(full, MORE_NOTE_ROOM)) {
      doc.add(full);
      doc.detailUsed += full.length;
      continue;
    }
    const line = oneLine(r, g);
    if (doc.fits(line, MORE_NOTE_ROOM)) {
      doc.add(line);
      continue;
    }
    const left = requirements.length - i;
    doc.add(`… and ${left} more ${word}${left === 1 ? '' : 's'}: see index.html or report.yaml`);
    return;
  }
}

export interface MarkdownOptions {
  /** The last guard; by default one that knows the codes whose markers appear in the result. */
  guard?: RedactionGuard;
  /** The character limit (default MARKDOWN_LIMIT). */
  limit?: number;
}

export function renderMarkdown(result: RunResult, options: MarkdownOptions = {}): string {
  const guard = options.guard ?? RedactionGuard.fromTexts(JSON.stringify(result));
  const g: Guard = (text) => guard.text(redactText(text));
  const must = result.requirements.filter((r) => r.level === 'MUST');
  const mustMissing = must.filter((r) => r.result === 'not-run' || r.result === 'unsupported').length;

  const closing = [
    '---',
    `The full report, with every failure's evidence, is \`index.html\` in the report directory (beside \`report.yaml\`, \`junit.xml\` and \`badge.svg\`). Run the same selection again:`,
    codeBlock(g(reproduceCommand(result)), 'sh'),
  ].join('\n\n');
  const doc = new Document((options.limit ?? MARKDOWN_LIMIT) - closing.length - 2);

  doc.add(verdictHeading(result));
  doc.add(factsLine(result, g));
  if (result.partial && !result.interrupted) {
    doc.add(`> **Partial**: ${mustMissing} MUST rule${mustMissing === 1 ? '' : 's'} did not run (filtered out, not run or unsupported): the verdict covers only part of the catalogue.`);
  }
  const stopped = result.stoppedAnswering;
  if (stopped) {
    // as index.html says it: why the rest was not run, and that it failed
    const n = stopped.scenariosNotRun;
    const k = stopped.requirementsNotRun.length;
    doc.add([
      `> **Not run: ${inlineMarkdown(g(stopped.reason))}.** ${n} scenario${n === 1 ? '' : 's'} (${k} requirement${k === 1 ? '' : 's'}) ${n === 1 ? 'was' : 'were'} not run against it; an implementation that stops answering is not conformant.`,
      ...stopped.details.slice(0, 5).map((d) => `> - ${inlineMarkdown(g(d))}`),
      ...(stopped.details.length > 5 ? [`> - … and ${stopped.details.length - 5} more`] : []),
    ].join('\n'));
  }
  const interrupted = result.interrupted;
  if (interrupted) {
    const n = interrupted.scenariosNotRun;
    const k = interrupted.requirementsNotRun.length;
    doc.add(`> **Not run: ${inlineMarkdown(g(interrupted.reason))}.** The run was stopped before it ended: ${n} scenario${n === 1 ? '' : 's'} (${k} requirement${k === 1 ? '' : 's'}) ${n === 1 ? 'was' : 'were'} not run, and the verdict is of the part that ran (${mustMissing} MUST rule${mustMissing === 1 ? '' : 's'} did not run).`);
  }
  if (result.fixedExpectations.length > 0) {
    const ids = result.fixedExpectations.map((b) => `**${inlineMarkdown(b.id)}**`).join(', ');
    doc.add(`> **Now passing**: ${ids} ${result.fixedExpectations.length === 1 ? 'is' : 'are'} listed in the expected-failures baseline but passed: remove ${result.fixedExpectations.length === 1 ? 'it' : 'them'} from the baseline.`);
  }
  doc.add(familyTable(result, g));

  const outcome = (o: RequirementResult['result']) => result.requirements.filter((r) => r.result === o);
  section(doc, '❌ Failures', outcome('failed'), g, 'failure');
  section(doc, '⚠️ Warnings', outcome('warning'), g, 'warning');
  const expected = outcome('expected-failure');
  if (expected.length > 0) {
    const lines = expected.map((r) => {
      const link = r.expected?.link && /^https?:\/\//.test(r.expected.link) ? ` ([link](${g(r.expected.link).replace(/[()\s]/g, encodeURIComponent)}))` : '';
      return `- **${inlineMarkdown(r.id)}** (${r.level}) ${inlineMarkdown(g(r.statement), 160)} — baseline: ${inlineMarkdown(g(r.expected?.reason ?? ''), 200)}${link}`;
    });
    const block = [`### Expected failures (${expected.length})`, 'Listed in the expected-failures baseline: they do not fail the gate.', lines.join('\n')].join('\n\n');
    if (doc.fits(block)) doc.add(block);
    else if (doc.fits(`### Expected failures (${expected.length})`)) doc.add(`### Expected failures (${expected.length})\n\n${expected.length} failures expected by the baseline: see report.yaml`);
  }
  // the whole once more through the guard, as every report file
  return guard.text(`${doc.text()}\n${closing}\n`);
}
