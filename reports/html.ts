// index.html: the compliance report a person reads. One self-contained file (inline CSS and JS, no
// external asset, a Content-Security-Policy that allows nothing else) that opens offline, reads well at
// 1280 px and prints with every failure's evidence open.
//
// Everything shown comes from implementations and may say anything: every string is redacted again
// (the last guard) and HTML-escaped; no value from a run ever reaches the script.
import { createHash } from 'node:crypto';
import { abbreviateText, abbreviateValue } from './abbreviate.ts';
import { renderBadge } from './badge.ts';
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
} from './counts.ts';
import { redactText, RedactionGuard } from '../model/redact.ts';
import { emitYaml } from './yaml-emit.ts';
import { firstNonBlankLine, shellQuote } from '../model/text.ts';
import type { BaselineEntry, RequirementResult, RunResult, ScenarioResult } from './results.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

type Guard = (text: string) => string;

/** A link only for http(s) and mailto: anything else is shown as text. */
function link(href: string | undefined, text: string, g: Guard): string {
  if (!href) return '';
  const safe = g(href);
  return /^(https?:\/\/|mailto:)/i.test(safe)
    ? `<a href="${escapeHtml(safe)}" rel="noopener noreferrer">${escapeHtml(g(text))}</a>`
    : escapeHtml(safe);
}


function reproduceCommand(result: RunResult, requirementId?: string): string {
  const o = result.options;
  const words = ['npx', 'accesstoken-conformance', 'run', '--impl', String(o.impl ?? 'reference')];
  const keys = Array.isArray(o.implOptions) ? (o.implOptions as string[]) : [];
  for (const k of keys) words.push('--impl-option', `${k}=…`);
  if (requirementId) words.push('--requirement', requirementId);
  else {
    if (typeof o.tags === 'string' && o.tags) words.push('--tags', o.tags);
    for (const id of Array.isArray(o.requirements) ? (o.requirements as string[]) : []) words.push('--requirement', id);
  }
  return words.map((w) => (w.endsWith('=…') ? w : shellQuote(w))).join(' ');
}

function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

const VERDICT_CLASS: Record<RunResult['verdict'], string> = {
  Conformant: 'v-ok',
  'Conformant with warnings': 'v-warn',
  'Not conformant': 'v-fail',
};

function resultBadge(outcome: RequirementResult['result']): string {
  return `<span class="result r-${outcome}">${OUTCOME_LABELS[outcome]}</span>`;
}

function scenarioBadge(outcome: ReturnType<typeof scenarioOutcome>): string {
  const label = { passed: 'passed', failed: 'failed', 'expected-failure': 'expected failure', unsupported: 'unsupported', skipped: 'not run' }[outcome];
  return `<span class="s-status s-${outcome}">${label}</span>`;
}

function yamlBlock(value: unknown, g: Guard): string {
  const text = emitYaml(abbreviateValue(value)).trimEnd();
  return `<pre class="yaml">${escapeHtml(g(text))}</pre>`;
}

/** The failure message without the stack trace lines (those go in their own collapsed block). */
export function splitMessage(message: string): { text: string; stack: string } {
  const lines = message.split('\n');
  const first = lines.findIndex((l) => /^\s+at (\S+ \(|\/|file:|node:|async )/.test(l));
  if (first < 0) return { text: message.trimEnd(), stack: '' };
  return { text: lines.slice(0, first).join('\n').trimEnd(), stack: lines.slice(first).join('\n') };
}


interface Observed {
  accessTokens?: unknown[];
  secrets?: unknown[];
  links?: unknown[];
  error?: unknown;
}

interface TranscriptEntry {
  at?: string;
  endpoint?: string;
  method?: string;
  path?: string;
  headers?: Record<string, unknown>;
  protocol?: string;
  tlsVersion?: string;
  body?: string;
  answer?: { status?: unknown; body?: unknown };
}

function transcriptHtml(transcript: unknown[] | undefined, g: Guard): string {
  if (!transcript || transcript.length === 0) return '<p class="muted">No request reached the grant service.</p>';
  return transcript
    .map((raw, i) => {
      const r = (raw ?? {}) as TranscriptEntry;
      const status = r.answer?.status;
      const statusText = typeof status === 'number' ? String(status) : status === 'no-answer' ? 'no answer' : status === 'reset' ? 'connection reset' : String(status ?? '?');
      const statusClass = typeof status === 'number' && status >= 200 && status < 300 ? 'st-ok' : 'st-bad';
      const headers = Object.entries(r.headers ?? {})
        .map(([k, v]) => `<tr><th>${escapeHtml(g(k))}</th><td>${escapeHtml(g(String(v)))}</td></tr>`)
        .join('');
      const answerBody = typeof r.answer?.body === 'string' && r.answer.body !== '' ? `<pre class="body">${escapeHtml(g(abbreviateText(r.answer.body)))}</pre>` : '<p class="muted">(no body)</p>';
      return `<div class="exchange">
<div class="line"><span class="n">#${i + 1}</span> <b>${escapeHtml(g(r.method ?? '?'))}</b> <code>${escapeHtml(g(r.path ?? ''))}</code>
<span class="meta">${escapeHtml(g(r.endpoint ?? ''))} endpoint · ${escapeHtml(g(r.tlsVersion ?? r.protocol ?? ''))}${r.at ? ` · ${escapeHtml(g(r.at))}` : ''}</span>
<span class="arrow">→</span> <span class="st ${statusClass}">${escapeHtml(g(statusText))}</span></div>
<div class="exchange-grid">
<div><h5>Request headers</h5>${headers ? `<table class="headers">${headers}</table>` : '<p class="muted">(none)</p>'}
<h5>Request body</h5><pre class="body">${escapeHtml(g(r.body ?? ''))}</pre></div>
<div><h5>Answer</h5>${answerBody}</div>
</div>
</div>`;
    })
    .join('\n');
}

function evidenceHtml(result: RunResult, req: RequirementResult, s: ScenarioResult, id: string, g: Guard): string {
  const outcome = scenarioOutcome(s, result);
  const message = splitMessage(s.failure?.message ?? '');
  const details = s.failure?.details && s.failure.details.trim() !== (s.failure.message ?? '').trim() ? s.failure.details : message.stack;
  const ev = s.evidence ?? {};
  const observed = (ev.observed ?? {}) as Observed;
  const tokens = (observed.accessTokens ?? []).map((t) => {
    const token = (t ?? {}) as { metadata?: { name?: string; generation?: number }; spec?: unknown; status?: unknown };
    return { name: token.metadata?.name, generation: token.metadata?.generation, spec: token.spec, status: token.status ?? null };
  });
  const created = { secrets: observed.secrets ?? [], links: observed.links ?? [] };
  const observedHtml = observed.error !== undefined
    ? `<pre class="message">${escapeHtml(g(String(observed.error)))}</pre>`
    : tokens.length > 0 ? yamlBlock(tokens, g) : '<p class="muted">The implementation reported no AccessToken.</p>';
  const createdHtml = observed.error !== undefined
    ? '<p class="muted">Not observed (see above).</p>'
    : created.secrets.length + created.links.length > 0 ? yamlBlock(created, g) : '<p class="muted">None: the site has no Secret and no Link.</p>';
  const site = ev.site as { name?: string; namespace?: string; uid?: string } | undefined;
  return `<details class="failure" id="${escapeHtml(id)}">
<summary>${scenarioBadge(outcome)} <span class="sname">${escapeHtml(g(s.name))}</span> <span class="muted">${escapeHtml(g(s.uri))}${s.line ? `:${s.line}` : ''} · ${formatDuration(s.durationMs)}</span>
<span class="preview">${escapeHtml(g(firstNonBlankLine(message.text)))}</span></summary>
<div class="evidence">
<section class="wide"><h4>Expected against observed</h4>
<p class="step">Failed step: <b>${escapeHtml(g(s.failure?.step ?? ''))}</b></p>
<pre class="message">${escapeHtml(g(message.text))}</pre>
${details ? `<details class="stack"><summary>Details and stack trace</summary><pre>${escapeHtml(g(details))}</pre></details>` : ''}
${req.expected ? `<p class="expected-note">Expected failure (baseline): ${escapeHtml(g(req.expected.reason))}${req.expected.link ? ` — ${link(req.expected.link, req.expected.link, g)}` : ''}</p>` : ''}
</section>
<section><h4>AccessToken observed</h4>${observedHtml}</section>
<section><h4>Secrets and Links created</h4>${createdHtml}</section>
<section class="wide"><h4>Grant service transcript <span class="muted">(${(ev.transcript ?? []).length} request${(ev.transcript ?? []).length === 1 ? '' : 's'})</span></h4>${transcriptHtml(ev.transcript, g)}</section>
<section class="wide repro"><h4>Reproduce</h4><pre>${escapeHtml(g(reproduceCommand(result, req.id)))}</pre>
${site ? `<p class="muted">Site ${escapeHtml(g(site.name ?? ''))} in namespace ${escapeHtml(g(site.namespace ?? ''))}, uid ${escapeHtml(g(site.uid ?? ''))}</p>` : ''}</section>
</div>
</details>`;
}

function requirementRows(result: RunResult, req: RequirementResult, g: Guard): string {
  const fixed = result.fixedExpectations.some((b) => b.id === req.id);
  const failing = req.scenarioResults.filter((s) => s.status === 'failed');
  const evidenceIds = new Map(failing.map((s, i) => [s, `ev-${req.id}-${i + 1}`]));
  const scenarios = req.scenarioResults.length > 0
    ? `<ul class="scenarios">${req.scenarioResults
        .map((s) => {
          const evId = evidenceIds.get(s);
          const name = evId ? `<a href="#${evId}" data-open="${evId}">${escapeHtml(g(s.name))}</a>` : escapeHtml(g(s.name));
          const why = s.status === 'unsupported' && s.unsupported.length > 0 ? ` <span class="muted">needs ${escapeHtml(g(s.unsupported.join(', ')))}</span>` : '';
          return `<li>${scenarioBadge(scenarioOutcome(s, result))} ${name}${why} <span class="dur">${formatDuration(s.durationMs)}</span></li>`;
        })
        .join('')}</ul>`
    : `<p class="muted">Not selected in this run (${req.scenarios.length} scenario${req.scenarios.length === 1 ? '' : 's'})</p>`;
  const notes: string[] = [];
  if (req.features.length > 0) notes.push(`<span class="needs">needs feature${req.features.length > 1 ? 's' : ''} ${req.features.map((f) => `<code>${escapeHtml(g(f))}</code>`).join(', ')}</span>`);
  if (req.expected) notes.push(`<span class="expected-note">baseline: ${escapeHtml(g(req.expected.reason))}${req.expected.link ? ` (${link(req.expected.link, 'link', g)})` : ''}</span>`);
  if (fixed) notes.push('<span class="fixed-note">listed in the baseline but passes now: remove it</span>');
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

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1240px;margin:0 auto;padding:20px 20px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:17px;margin:26px 0 10px}
h4{font-size:13px;margin:0 0 6px;text-transform:uppercase;letter-spacing:.03em;color:#57606a}
h5{font-size:12px;margin:8px 0 4px;color:#57606a}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
pre{margin:0;padding:8px 10px;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto}
a{color:#0969da}
.muted{color:#57606a}
[hidden]{display:none!important}
header.top{display:flex;gap:24px;align-items:flex-start;justify-content:space-between;flex-wrap:wrap}
.subtitle{color:#57606a;margin:0}
.verdict{display:flex;align-items:center;flex-wrap:wrap;gap:6px 14px;margin:16px 0 0;padding:14px 18px;border-radius:8px;border:1px solid;background:#fff}
.verdict .word{font-size:26px;font-weight:700;white-space:nowrap}
.verdict .detail{color:#3d444d}
.verdict .facts{flex-basis:100%;color:#3d444d}
.v-ok{border-color:#1a7f37;background:#dafbe1}.v-ok .word{color:#116329}
.v-warn{border-color:#bf8700;background:#fff8c5}.v-warn .word{color:#7d4e00}
.v-fail{border-color:#cf222e;background:#ffebe9}.v-fail .word{color:#a40e26}
.partial{display:inline-block;padding:2px 10px;border-radius:999px;background:#57606a;color:#fff;font-weight:600;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin:14px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px}
.card .big{font-size:22px;font-weight:700}
.card .label{color:#57606a;font-size:12px}
.card.tally{display:flex;flex-wrap:wrap;gap:2px 14px;align-content:center;font-size:12.5px}
.card.tally a{color:#3d444d;text-decoration:none;white-space:nowrap}
.card.tally a:hover{text-decoration:underline}
.card.tally b{font-size:17px}
b.c-failed{color:#a40e26}b.c-warning{color:#7d4e00}b.c-expected-failure{color:#953800}b.c-unsupported{color:#6639ba}b.c-not-run{color:#57606a}
.panels{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dl.kv dt{color:#57606a}
dl.kv dd{margin:0;overflow-wrap:anywhere}
.chip{display:inline-block;padding:0 7px;margin:1px 2px 1px 0;border-radius:999px;background:#ddf4ff;color:#0550ae;font-size:12px}
.callout{border-radius:8px;padding:10px 14px;margin:12px 0;border:1px solid}
.callout ul{margin:6px 0 0;padding-left:20px}
.callout.fixed{background:#ddf4ff;border-color:#54aeff}
.callout.baseline{background:#fff1e5;border-color:#fb8f44}
table{border-collapse:collapse;width:100%;background:#fff}
table.families{width:auto;min-width:640px;border:1px solid #d0d7de;border-radius:8px}
table.families th,table.families td{padding:4px 12px;border-bottom:1px solid #eaeef2;text-align:left}
table.families td.num,table.families th.num{text-align:right}
.zero{color:#8c959f}
td.c-passed{color:#116329;font-weight:600}td.c-failed{color:#a40e26;font-weight:700}td.c-warning{color:#7d4e00;font-weight:700}
td.c-unsupported{color:#6639ba;font-weight:600}td.c-not-run{color:#57606a;font-weight:600}td.c-expected-failure{color:#953800;font-weight:700}
.filters{position:sticky;top:0;z-index:2;display:flex;gap:14px;align-items:center;flex-wrap:wrap;padding:8px 0;background:#f6f8fa;border-bottom:1px solid #d0d7de;margin-bottom:8px}
.filters label{font-weight:600}
.filters select,.filters button{font:inherit;padding:3px 8px;border:1px solid #d0d7de;border-radius:6px;background:#fff}
.filters button{cursor:pointer}
.filters .shown{margin-left:auto;color:#57606a}
table.matrix{table-layout:fixed;border:1px solid #d0d7de}
table.matrix th{position:sticky;top:44px;z-index:1;background:#eaeef2;text-align:left;font-size:12px;padding:6px 8px;border-bottom:1px solid #d0d7de}
table.matrix td{padding:7px 8px;vertical-align:top;border-bottom:1px solid #eaeef2}
table.matrix tr.req:hover td{background:#f6f8fa}
table.matrix col.c-id{width:118px}table.matrix col.c-level{width:74px}table.matrix col.c-family{width:104px}
table.matrix col.c-result{width:128px}table.matrix col.c-scen{width:330px}table.matrix col.c-dur{width:74px}
td.id code{font-weight:600;font-size:12px;overflow-wrap:anywhere}
td.num{text-align:right;white-space:nowrap;color:#57606a}
.statement .source{color:#57606a;font-size:12px;margin-top:2px}
.notes{margin-top:4px;font-size:12px}
.needs{color:#6639ba}
.expected-note{color:#953800}
.fixed-note{color:#0550ae;font-weight:600}
.level{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:4px}
.l-must{background:#1f2328;color:#fff}.l-should{background:#eaeef2;color:#1f2328}
.result{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid;white-space:nowrap}
.r-passed{color:#116329;background:#dafbe1;border-color:#4ac26b}
.r-failed{color:#a40e26;background:#ffebe9;border-color:#ff8182}
.r-warning{color:#7d4e00;background:#fff8c5;border-color:#d4a72c}
.r-unsupported{color:#6639ba;background:#fbefff;border-color:#c297ff}
.r-not-run{color:#57606a;background:#eaeef2;border-color:#afb8c1}
.r-expected-failure{color:#953800;background:#fff1e5;border-color:#fb8f44}
ul.scenarios{list-style:none;margin:0;padding:0;font-size:12.5px}
ul.scenarios li{margin:0 0 3px}
.s-status{display:inline-block;min-width:52px;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.02em}
.s-passed{color:#1a7f37}.s-failed{color:#cf222e}.s-expected-failure{color:#bc4c00}.s-unsupported{color:#8250df}.s-skipped{color:#6e7781}
.dur{color:#6e7781;font-size:11px;white-space:nowrap}
tr.ev td{background:#fbfbfc;padding:6px 8px 12px 20px}
details.failure{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:6px;background:#fff;margin:6px 0;scroll-margin-top:90px}
tr.req{scroll-margin-top:90px}
tr.ev[data-result=warning] details.failure{border-left-color:#bf8700}
tr.ev[data-result=expected-failure] details.failure{border-left-color:#fb8f44}
details.failure>summary{cursor:pointer;padding:8px 12px;font-weight:600}
details.failure>summary .muted{font-weight:400;font-size:12px}
details.failure>summary .preview{display:block;margin:2px 0 0 18px;font-weight:400;font-size:12.5px;color:#a40e26;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.failure[open]>summary .preview{display:none}
.evidence{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px 16px;padding:4px 14px 14px}
.evidence section.wide{grid-column:1/-1}
.step{margin:0 0 6px}
pre.message{background:#fff5f5;border-color:#ffcecb}
details.stack summary{cursor:pointer;color:#57606a;font-size:12px;margin-top:6px}
.exchange{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;margin:0 0 8px}
.exchange .line{font-size:13px}
.exchange .n{color:#57606a}
.exchange .meta{color:#57606a;font-size:12px;margin-left:6px}
.exchange .st{font-weight:700}.st-ok{color:#1a7f37}.st-bad{color:#cf222e}
.exchange-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.3fr);gap:12px}
table.headers{width:100%;font-size:12px;border:1px solid #eaeef2}
table.headers th{text-align:left;font-weight:600;padding:2px 8px;width:34%;color:#57606a;vertical-align:top;font-family:ui-monospace,monospace}
table.headers td{padding:2px 8px;overflow-wrap:anywhere;font-family:ui-monospace,monospace}
.repro pre{background:#1f2328;color:#f6f8fa;border-color:#1f2328}
footer{margin-top:28px;color:#57606a;font-size:12px}
@media (max-width:1000px){.cards{grid-template-columns:repeat(2,1fr)}.panels,.evidence,.exchange-grid{grid-template-columns:1fr}}
@media (max-width:1000px),print{
  table.matrix col.c-id{width:13%}table.matrix col.c-level{width:8%}table.matrix col.c-family{width:10%}
  table.matrix col.c-result{width:11%}table.matrix col.c-scen{width:24%}table.matrix col.c-dur{width:8%}
  table.matrix td,table.matrix th{padding:5px 4px}
  td.id code{font-size:10.5px}
  .result{padding:1px 5px;font-size:11px;white-space:normal}
  td.num{font-size:11px}
}
@media print{
  body{background:#fff;font-size:11px}
  main{max-width:none;padding:0}
  .filters,.no-print{display:none!important}
  table.matrix th{position:static}
  pre{max-height:none;overflow:visible}
  tr.req{break-inside:avoid}
  details.failure{break-inside:auto}
  details.failure>summary{list-style:none}
  details.failure::details-content{content-visibility:visible;display:contents}
  details.stack,details.failure>summary .preview{display:none!important}
  .verdict,.result,.level,.callout,.partial,td.c-failed{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  a{color:inherit;text-decoration:none}
}
`;

// Static: no value from the run is ever interpolated here (the CSP allows this script by its hash only).
const SCRIPT = `
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.req'));
  var byResult = document.getElementById('filter-result');
  var byFamily = document.getElementById('filter-family');
  var shown = document.getElementById('shown');
  var problems = ['failed', 'warning', 'expected-failure'];
  function apply() {
    var r = byResult.value, f = byFamily.value, n = 0;
    rows.forEach(function (row) {
      var res = row.getAttribute('data-result');
      var ok = (r === 'all' || (r === 'problems' ? problems.indexOf(res) >= 0 : res === r)) &&
        (f === 'all' || row.getAttribute('data-family') === f);
      row.hidden = !ok;
      var next = row.nextElementSibling;
      if (next && next.classList.contains('ev')) next.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  }
  byResult.addEventListener('change', apply);
  byFamily.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('[data-set-result]'), function (el) {
    el.addEventListener('click', function (e) { e.preventDefault(); byResult.value = el.getAttribute('data-set-result'); byFamily.value = 'all'; apply(); document.getElementById('matrix').scrollIntoView(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-set-family]'), function (el) {
    el.addEventListener('click', function (e) { e.preventDefault(); byFamily.value = el.getAttribute('data-set-family'); byResult.value = 'all'; apply(); document.getElementById('matrix').scrollIntoView(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-family-reset]'), function (el) {
    el.addEventListener('click', function () { byResult.value = 'all'; byFamily.value = 'all'; apply(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('a[data-open]'), function (el) {
    el.addEventListener('click', function () { var d = document.getElementById(el.getAttribute('data-open')); if (d) d.open = true; });
  });
  function all(open) { Array.prototype.forEach.call(document.querySelectorAll('details.failure'), function (d) { d.open = open; }); }
  document.getElementById('expand-all').addEventListener('click', function () { all(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { all(false); });
  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.filter.call(document.querySelectorAll('details.failure'), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { closed.forEach(function (d) { d.open = false; }); closed = []; });
  if (location.hash.indexOf('#ev-') === 0) { var d = document.getElementById(location.hash.slice(1)); if (d) d.open = true; }
  apply();
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
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
  const title = `${impl.name}${impl.version ? ` ${impl.version}` : ''}: ${result.verdict}${result.partial ? ' (partial)' : ''}`;

  const verdictDetail = [
    `${result.mustPassed} of ${result.mustTotal} MUST rules passed`,
    `${should.filter((r) => r.result === 'passed').length} of ${should.length} SHOULD rules passed`,
  ].join(' · ');
  const partialNote = result.partial
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
    ['Mode', `${mode}${mode === 'filtered' ? ' <span class="muted">(not every rule was selected)</span>' : ''}`],
    ['Implementation (--impl)', `<code>${escapeHtml(g(String(o.impl ?? '')))}</code>`],
    ['Tags', typeof o.tags === 'string' && o.tags ? `<code>${escapeHtml(g(o.tags))}</code>` : '<span class="muted">none</span>'],
    ['Requirements', list(o.requirements)],
    ['Settle timeout', o.timeoutSeconds !== undefined ? `${escapeHtml(g(String(o.timeoutSeconds)))} s` : '—'],
    ['Parallel workers', escapeHtml(g(String(o.parallel ?? 0)))],
    ['Implementation options', list(o.implOptions)],
  ];
  for (const [k, v] of Object.entries(o)) {
    if (['impl', 'tags', 'requirements', 'timeoutSeconds', 'parallel', 'implOptions'].includes(k)) continue;
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
<p class="subtitle">${escapeHtml(g(impl.name))}${impl.version ? ` <b>${escapeHtml(g(impl.version))}</b>` : ''} · ${escapeHtml(g(result.suite.name))} ${escapeHtml(g(result.suite.version))} · ${escapeHtml(utc(result.startedAt))}</p>
</div>
<div class="badge" aria-hidden="true">${badge}</div>
</header>
<section class="verdict ${VERDICT_CLASS[result.verdict]}" id="verdict" data-verdict="${escapeHtml(result.verdict)}" data-partial="${result.partial}">
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
A SHOULD rule that fails is a warning; a MUST rule that fails makes the implementation not conformant; a run in which a MUST rule did not run is partial.
Long certificates and base64 values are shown by size and SHA-256; codes and private keys are never shown. Beside this file: report.yaml, junit.xml, cucumber.html, messages.ndjson, badge.svg.</footer>
</main>`;

  const csp = `default-src 'none'; style-src ${cspHash(CSS)}; script-src ${cspHash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
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
