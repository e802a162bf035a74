// index.html: the compliance report a person reads. One self-contained file (inline CSS and JS, no
// external asset, a Content-Security-Policy that allows nothing else) that opens offline, reads well at
// 1280 px and prints with every failure's evidence open.
//
// Everything shown comes from implementations and may say anything: every string is redacted again
// (the last guard) and HTML-escaped; no value from a run ever reaches the script.
import { renderBadge } from '../badge.ts';
import {
  countOutcomes,
  countScenarios,
  countsByFamily,
  families,
  formatDuration,
  OUTCOME_LABELS,
  OUTCOMES,
  runMode,
  scenarioOutcome,
  type OutcomeCounts,
} from '../counts.ts';
import { RedactionGuard } from '../redaction-guard.ts';
import { SIDE_LABELS, sideOf, type BaselineEntry, type RequirementResult, type RunResult } from '../results.ts';
import { redactText } from '../../model/redact.ts';
import { CONTENT_SECURITY_POLICY, CSS, SCRIPT } from './assets.ts';
import { evidenceHtml } from './failure.ts';
import { escapeHtml, link, reproduceCommand, resultBadge, scenarioBadge, type Guard } from './markup.ts';

function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

const VERDICT_CLASS: Record<RunResult['verdict'], string> = {
  Conformant: 'v-ok',
  'Conformant with warnings': 'v-warn',
  'Not conformant': 'v-fail',
};

function requirementRows(result: RunResult, req: RequirementResult, g: Guard): string {
  const fixed = result.fixedExpectations.some((b) => b.id === req.id);
  const failing = req.scenarioResults.filter((s) => s.status === 'failed');
  const evidenceIds = new Map(failing.map((s, i) => [s, `ev-${req.id}-${i + 1}`]));
  const scenarios = req.scenarioResults.length > 0
    ? `<ul class="scenarios">${req.scenarioResults
        .map((s) => {
          const evId = evidenceIds.get(s);
          const name = evId ? `<a href="#${evId}" data-open="${evId}">${escapeHtml(g(s.name))}</a>` : escapeHtml(g(s.name));
          const why = s.status === 'unsupported' && s.unsupported.length > 0
            ? ` <span class="muted">needs ${escapeHtml(g(s.unsupported.join(', ')))}</span>`
            : s.status === 'skipped' && s.notRun ? ` <span class="muted">not run: ${escapeHtml(g(s.notRun))}</span>` : '';
          return `<li>${scenarioBadge(scenarioOutcome(s, result))} ${name}${why} <span class="dur">${formatDuration(s.durationMs)}</span></li>`;
        })
        .join('')}</ul>`
    : `<p class="muted">Not selected in this run (${req.scenarios.length} scenario${req.scenarios.length === 1 ? '' : 's'})</p>`;
  const notes: string[] = [];
  if (req.features.length > 0) notes.push(`<span class="needs">needs feature${req.features.length > 1 ? 's' : ''} ${req.features.map((f) => `<code>${escapeHtml(g(f))}</code>`).join(', ')}</span>`);
  if (req.expected) notes.push(`<span class="expected-note">baseline: ${escapeHtml(g(req.expected.reason))}${req.expected.link ? ` (${link(req.expected.link, 'link', g)})` : ''}</span>`);
  if (fixed) notes.push('<span class="fixed-note">listed in the baseline but passes now: remove it</span>');
  if (req.notRun) notes.push(`<span class="not-run-note">not run: ${escapeHtml(g(req.notRun))}</span>`);
  const attrs = `data-result="${req.result}" data-family="${escapeHtml(req.family)}" data-level="${req.level}"`;
  const row = `<tr class="req" id="req-${escapeHtml(req.id)}" ${attrs}>
<td class="id"><code>${escapeHtml(req.id)}</code></td>
<td><span class="level l-${req.level.toLowerCase()}">${req.level}</span></td>
<td>${escapeHtml(g(req.family))}</td>
<td class="statement">${escapeHtml(g(req.statement))}<div class="source">${escapeHtml(g(req.source))}</div>${notes.length ? `<div class="notes">${notes.join(' ')}</div>` : ''}</td>
<td>${resultBadge(req.result)}</td>
<td>${scenarios}</td>
<td class="num">${req.scenarioResults.length > 0 ? formatDuration(req.durationMs) : '—'}</td>
</tr>`;
  if (failing.length === 0) return row;
  return `${row}
<tr class="ev" ${attrs}><td colspan="7">${failing.map((s) => evidenceHtml(result, req, s, evidenceIds.get(s)!, g)).join('\n')}</td></tr>`;
}

function countCells(c: OutcomeCounts): string {
  const cells = [c.passed, c.failed, c.warning, c.unsupported, c.skipped, c.expectedFailure];
  return cells.map((n, i) => `<td class="num${n > 0 ? ` c-${OUTCOMES[i]}` : ' zero'}">${n}</td>`).join('');
}

/** Said at the top when the implementation stopped answering: why the rest was not run, and that it failed. */
function stoppedSection(result: RunResult, g: Guard): string {
  const stopped = result.stoppedAnswering;
  if (!stopped) return '';
  const n = stopped.scenariosNotRun;
  return `<section class="callout stopped" id="stopped-answering"><b>Not run: ${escapeHtml(g(stopped.reason))}.</b> ${n} scenario${n === 1 ? '' : 's'} (${stopped.requirementsNotRun.length} requirement${stopped.requirementsNotRun.length === 1 ? '' : 's'}) ${n === 1 ? 'was' : 'were'} not run against it; an implementation that stops answering is not conformant.<ul>${stopped.details.map((d) => `<li>${escapeHtml(g(d))}</li>`).join('')}</ul></section>`;
}

/** Said at the top when the run was interrupted: the rest was not run, and the verdict is of the part that ran. */
function interruptedSection(result: RunResult, g: Guard): string {
  const interrupted = result.interrupted;
  if (!interrupted) return '';
  const n = interrupted.scenariosNotRun;
  const k = interrupted.requirementsNotRun.length;
  return `<section class="callout interrupted" id="interrupted"><b>Not run: ${escapeHtml(g(interrupted.reason))}.</b> The run was stopped before it ended: ${n} scenario${n === 1 ? '' : 's'} (${k} requirement${k === 1 ? '' : 's'}) ${n === 1 ? 'was' : 'were'} not run, and the verdict is of the part that ran.</section>`;
}

function baselineSection(result: RunResult, g: Guard): string {
  const expected = result.requirements.filter((r) => r.expected);
  if (expected.length === 0 && result.fixedExpectations.length === 0) return '';
  const item = (b: BaselineEntry, status: string) =>
    `<li><a href="#req-${escapeHtml(b.id)}" data-family-reset><code>${escapeHtml(b.id)}</code></a> ${status} — ${escapeHtml(g(b.reason))}${b.link ? ` (${link(b.link, b.link, g)})` : ''}</li>`;
  const parts: string[] = [];
  if (result.fixedExpectations.length > 0) {
    parts.push(`<div class="callout fixed"><b>Now passing:</b> ${result.fixedExpectations.length} requirement${result.fixedExpectations.length === 1 ? ' is' : 's are'} listed in the expected-failures baseline but passed; remove ${result.fixedExpectations.length === 1 ? 'it' : 'them'} from the baseline so the list shrinks.<ul>${result.fixedExpectations.map((b) => item(b, '<span class="result r-passed">Passed</span>')).join('')}</ul></div>`);
  }
  const others = expected.filter((r) => !result.fixedExpectations.some((b) => b.id === r.id));
  if (others.length > 0) {
    parts.push(`<div class="callout baseline"><b>Expected-failures baseline:</b> listed failures do not fail the gate.<ul>${others.map((r) => item(r.expected!, resultBadge(r.result))).join('')}</ul></div>`);
  }
  return `<section class="baseline">${parts.join('\n')}</section>`;
}

export interface HtmlOptions {
  /** The last guard; by default one that knows the codes whose markers appear in the result. */
  guard?: RedactionGuard;
}

export function renderHtml(result: RunResult, options: HtmlOptions = {}): string {
  const guard = options.guard ?? RedactionGuard.fromTexts(JSON.stringify(result));
  const g: Guard = (text) => guard.text(redactText(text));
  const impl = result.implementation;
  const overall = countOutcomes(result.requirements);
  const scenarios = countScenarios(result);
  const must = result.requirements.filter((r) => r.level === 'MUST');
  const should = result.requirements.filter((r) => r.level === 'SHOULD');
  const mustMissing = must.filter((r) => r.result === 'not-run' || r.result === 'unsupported').length;
  const byFamily = countsByFamily(result);
  const mode = runMode(result);
  const started = new Date(result.startedAt).getTime();
  const finished = new Date(result.finishedAt).getTime();
  const side = sideOf(result);
  const sideLabel = SIDE_LABELS[side];
  const title = `${impl.name}${impl.version ? ` ${impl.version}` : ''} (${sideLabel}): ${result.verdict}${result.interrupted ? ' (partial: interrupted)' : result.partial ? ' (partial)' : ''}`;

  const verdictDetail = [
    `judged as a ${sideLabel}`,
    `${result.mustPassed} of ${result.mustTotal} MUST rules passed`,
    `${should.filter((r) => r.result === 'passed').length} of ${should.length} SHOULD rules passed`,
  ].join(' · ');
  const partialNote = result.interrupted
    ? `<span class="partial" title="The run was interrupted: the verdict covers the part that ran">Partial</span> <span class="detail">${escapeHtml(g(result.interrupted.reason))}: ${mustMissing} MUST rule${mustMissing === 1 ? '' : 's'} did not run</span>`
    : result.partial
      ? `<span class="partial" title="MUST rules that did not run: the verdict covers part of the catalogue">Partial</span> <span class="detail">${mustMissing} MUST rule${mustMissing === 1 ? '' : 's'} did not run (filtered out, not run or unsupported)</span>`
      : '';

  const implRows: [string, string][] = [
    ['Name', escapeHtml(g(impl.name))],
    ['Version', escapeHtml(g(impl.version ?? '—'))],
  ];
  if (impl.organization) implRows.push(['Organization', escapeHtml(g(impl.organization))]);
  if (impl.url) implRows.push(['URL', link(impl.url, impl.url, g)]);
  if (impl.contact) implRows.push(['Contact', /^[^@\s]+@[^@\s]+$/.test(impl.contact) ? link(`mailto:${impl.contact}`, impl.contact, g) : escapeHtml(g(impl.contact))]);
  implRows.push(['Claimed features', impl.features.length > 0 ? impl.features.map((f) => `<span class="chip">${escapeHtml(g(f))}</span>`).join(' ') : '<span class="muted">none (core rules only)</span>']);

  const o = result.options;
  const list = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v.map((x) => `<code>${escapeHtml(g(String(x)))}</code>`).join(' ') : '<span class="muted">none</span>');
  const runRows: [string, string][] = [
    ['Suite', `${escapeHtml(g(result.suite.name))} ${escapeHtml(g(result.suite.version))}`],
    ['Started', escapeHtml(utc(result.startedAt))],
    ['Duration', Number.isFinite(finished - started) ? formatDuration(finished - started) : '—'],
    ['Side judged', `${escapeHtml(sideLabel)} <span class="muted">(--side ${escapeHtml(side)})</span>`],
    ['Mode', `${mode}${mode === 'filtered' ? ' <span class="muted">(not every rule was selected)</span>' : ''}`],
    ['Implementation (--impl)', `<code>${escapeHtml(g(String(o.impl ?? '')))}</code>`],
    ['Tags', typeof o.tags === 'string' && o.tags ? `<code>${escapeHtml(g(o.tags))}</code>` : '<span class="muted">none</span>'],
    ['Requirements', list(o.requirements)],
    ['Settle timeout', o.timeoutSeconds !== undefined ? `${escapeHtml(g(String(o.timeoutSeconds)))} s` : '—'],
    ['Parallel workers', escapeHtml(g(String(o.parallel ?? 0)))],
    ['Implementation options', list(o.implOptions)],
  ];
  for (const [k, v] of Object.entries(o)) {
    if (['side', 'impl', 'tags', 'requirements', 'timeoutSeconds', 'parallel', 'implOptions'].includes(k)) continue;
    runRows.push([escapeHtml(g(k)), `<code>${escapeHtml(g(typeof v === 'string' ? v : JSON.stringify(v) ?? ''))}</code>`]);
  }
  const dl = (rows: [string, string][]) => `<dl class="kv">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;

  const resultOptions = [
    `<option value="all">All results (${overall.total})</option>`,
    `<option value="problems">Problems: failed, warning, expected (${overall.failed + overall.warning + overall.expectedFailure})</option>`,
    ...OUTCOMES.map((r) => `<option value="${r}">${OUTCOME_LABELS[r]} (${result.requirements.filter((x) => x.result === r).length})</option>`),
  ].join('');
  const familyOptions = [`<option value="all">All families</option>`, ...families(result).map((f) => `<option value="${escapeHtml(f)}">${escapeHtml(g(f))} (${byFamily[f].total})</option>`)].join('');

  const familyRows = families(result)
    .map((f) => `<tr><th><a href="#matrix" data-set-family="${escapeHtml(f)}">${escapeHtml(g(f))}</a></th><td class="num">${byFamily[f].total}</td>${countCells(byFamily[f])}</tr>`)
    .join('');
  const cardLink = (outcome: string, text: string) => `<a href="#matrix" data-set-result="${outcome}">${text}</a>`;

  const badge = renderBadge(result);
  const body = `<main>
<header class="top">
<div>
<h1>AccessToken conformance report</h1>
<p class="subtitle"><span class="chip side">${escapeHtml(sideLabel)} under test</span> ${escapeHtml(g(impl.name))}${impl.version ? ` <b>${escapeHtml(g(impl.version))}</b>` : ''} · ${escapeHtml(g(result.suite.name))} ${escapeHtml(g(result.suite.version))} · ${escapeHtml(utc(result.startedAt))}</p>
</div>
<div class="badge" aria-hidden="true">${badge}</div>
</header>
<section class="verdict ${VERDICT_CLASS[result.verdict]}" id="verdict" data-verdict="${escapeHtml(result.verdict)}" data-partial="${result.partial}" data-side="${side}">
<span class="word">${escapeHtml(result.verdict)}</span>${partialNote}
<div class="facts">${verdictDetail}</div>
</section>
<div class="cards">
<div class="card"><div class="big">${result.mustPassed}/${result.mustTotal}</div><div class="label">MUST rules passed</div></div>
<div class="card"><div class="big">${overall.passed}/${overall.total}</div><div class="label">requirements passed</div></div>
<div class="card"><div class="big">${scenarios.passed}/${scenarios.total}</div><div class="label">scenarios passed</div></div>
<div class="card tally">${[
    ['failed', overall.failed, 'failed'],
    ['warning', overall.warning, overall.warning === 1 ? 'warning' : 'warnings'],
    ['expected-failure', overall.expectedFailure, 'expected'],
    ['unsupported', overall.unsupported, 'unsupported'],
    ['not-run', overall.skipped, 'not run'],
  ].map(([key, n, label]) => cardLink(String(key), `<b class="${n ? `c-${key}` : 'zero'}">${n}</b> ${label}`)).join('')}</div>
</div>
${stoppedSection(result, g)}
${interruptedSection(result, g)}
${baselineSection(result, g)}
<div class="panels">
<section class="panel"><h4>Implementation</h4>${dl(implRows)}</section>
<section class="panel"><h4>Run</h4>${dl(runRows)}</section>
</div>
<h2>By family</h2>
<table class="families"><thead><tr><th>Family</th><th class="num">Rules</th>${OUTCOMES.map((r) => `<th class="num">${OUTCOME_LABELS[r]}</th>`).join('')}</tr></thead>
<tbody>${familyRows}</tbody>
<tfoot><tr><th>All</th><td class="num">${overall.total}</td>${countCells(overall)}</tr></tfoot></table>
<h2 id="matrix">Requirements</h2>
<div class="filters">
<label for="filter-result">Result</label><select id="filter-result">${resultOptions}</select>
<label for="filter-family">Family</label><select id="filter-family">${familyOptions}</select>
<button type="button" id="expand-all">Expand all evidence</button><button type="button" id="collapse-all">Collapse all</button>
<span class="shown">showing <b id="shown">${result.requirements.length}</b> of ${result.requirements.length} requirements</span>
</div>
<table class="matrix">
<colgroup><col class="c-id"><col class="c-level"><col class="c-family"><col><col class="c-result"><col class="c-scen"><col class="c-dur"></colgroup>
<thead><tr><th>ID</th><th>Level</th><th>Family</th><th>Statement and source</th><th>Result</th><th>Scenarios</th><th>Duration</th></tr></thead>
<tbody>
${result.requirements.map((r) => requirementRows(result, r, g)).join('\n')}
</tbody>
</table>
<h2>How to reproduce</h2>
<pre>${escapeHtml(g(reproduceCommand(result)))}</pre>
<footer>Generated by ${escapeHtml(g(result.suite.name))} ${escapeHtml(g(result.suite.version))} on ${escapeHtml(utc(result.finishedAt))}.
A SHOULD rule that fails is a warning; a MUST rule that fails makes the implementation not conformant, and so does an implementation that stops answering; a run in which a MUST rule did not run is partial.
Long certificates and base64 values are shown by size and SHA-256; codes and private keys are never shown. Beside this file: report.yaml, junit.xml, summary.md, cucumber.html, messages.ndjson, badge.svg.</footer>
</main>`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(g(result.suite.name))} ${escapeHtml(g(result.suite.version))}">
<title>${escapeHtml(g(title))}</title>
<style>${CSS}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
