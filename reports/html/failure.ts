// A failed scenario opened to its evidence: expected against observed, the AccessTokens, Secrets and
// Links the implementation showed, the grant service's transcript, and how to run it again. A grant
// service's failure shows the AccessGrants it showed and the suite's exchanges with it instead.
import { abbreviateText, abbreviateValue } from '../abbreviate.ts';
import { formatDuration, scenarioOutcome } from '../counts.ts';
import { observeError, type Evidence, type GrantExchange, type GrantObservation, type TranscriptEntry } from '../evidence.ts';
import type { RequirementResult, RunResult, ScenarioResult } from '../results.ts';
import { emitYaml } from '../yaml-emit.ts';
import type { Observation, Site } from '../../adapters/contract.ts';
import type { AccessGrant, AccessToken } from '../../model/resources.ts';
import { firstNonBlankLine } from '../../model/text.ts';
import { escapeHtml, link, reproduceCommand, scenarioBadge, type Guard } from './markup.ts';

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

function transcriptHtml(transcript: TranscriptEntry[] | undefined, g: Guard): string {
  if (!transcript || transcript.length === 0) return '<p class="muted">No request reached the grant service.</p>';
  return transcript
    .map((entry, i) => {
      const r: Partial<TranscriptEntry> = entry ?? {};
      const answer: { status?: unknown; body?: unknown } | undefined = r.answer;
      const status = answer?.status;
      const statusText = typeof status === 'number' ? String(status) : status === 'no-answer' ? 'no answer' : status === 'reset' ? 'connection reset' : String(status ?? '?');
      const statusClass = typeof status === 'number' && status >= 200 && status < 300 ? 'st-ok' : 'st-bad';
      const headers = Object.entries(r.headers ?? {})
        .map(([k, v]) => `<tr><th>${escapeHtml(g(k))}</th><td>${escapeHtml(g(String(v)))}</td></tr>`)
        .join('');
      const answerBody = typeof answer?.body === 'string' && answer.body !== '' ? `<pre class="body">${escapeHtml(g(abbreviateText(answer.body)))}</pre>` : '<p class="muted">(no body)</p>';
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

const EXCHANGE_FIELDS = new Set(['grant', 'method', 'url', 'headers', 'status', 'body', 'error']);

function exchangesHtml(exchanges: GrantExchange[] | undefined, leftOut: number, g: Guard): string {
  if (!exchanges || exchanges.length === 0) return '<p class="muted">The suite sent the grant service no request.</p>';
  const half = Math.ceil(exchanges.length / 2);
  return exchanges
    .map((entry, i) => {
      // read loosely: whatever came back went through JSON
      const x = (entry ?? {}) as Partial<GrantExchange> & Record<string, unknown>;
      const answered = typeof x.status === 'number';
      const statusText = answered ? String(x.status) : 'no answer';
      const statusClass = answered && x.status! >= 200 && x.status! < 300 ? 'st-ok' : 'st-bad';
      const headers = Object.entries(x.headers ?? {})
        .map(([k, v]) => `<tr><th>${escapeHtml(g(k))}</th><td>${escapeHtml(g(String(v)))}</td></tr>`)
        .join('');
      const answer = typeof x.body === 'string' && x.body !== ''
        ? `<pre class="body">${escapeHtml(g(abbreviateText(x.body)))}</pre>`
        : x.error !== undefined ? `<pre class="message">${escapeHtml(g(String(x.error)))}</pre>` : '<p class="muted">(no body)</p>';
      const extra = Object.fromEntries(Object.entries(x).filter(([k]) => !EXCHANGE_FIELDS.has(k)));
      const n = leftOut > 0 && i >= half ? i + 1 + leftOut : i + 1;
      const gap = leftOut > 0 && i === half ? `<p class="muted">… ${leftOut} exchange${leftOut === 1 ? '' : 's'} left out …</p>\n` : '';
      return `${gap}<div class="exchange">
<div class="line"><span class="n">#${n}</span> <b>${escapeHtml(g(String(x.method ?? '?')))}</b> <code>${escapeHtml(g(String(x.url ?? '')))}</code>
<span class="meta">grant ${escapeHtml(g(String(x.grant ?? '?')))}</span>
<span class="arrow">→</span> <span class="st ${statusClass}">${escapeHtml(g(statusText))}</span></div>
<div class="exchange-grid">
<div><h5>Request headers</h5>${headers ? `<table class="headers">${headers}</table>` : '<p class="muted">(none)</p>'}
${Object.keys(extra).length > 0 ? `<h5>Also recorded</h5>${yamlBlock(extra, g)}` : ''}</div>
<div><h5>Answer</h5>${answer}</div>
</div>
</div>`;
    })
    .join('\n');
}

/** The grant-service half of a failure's evidence: the AccessGrants the service showed, the exchanges. */
function grantEvidenceHtml(ev: Evidence, g: Guard): string {
  const error = observeError(ev);
  const grants = ((error === undefined ? ev.observed : undefined) as Partial<GrantObservation> | undefined)?.accessGrants ?? [];
  const shown = grants.map((x) => {
    const grant: Partial<AccessGrant> = x ?? {};
    return { name: grant.metadata?.name, generation: grant.metadata?.generation, uid: grant.metadata?.uid, spec: grant.spec, status: grant.status ?? null };
  });
  const observedHtml = error !== undefined
    ? `<pre class="message">${escapeHtml(g(error))}</pre>`
    : shown.length > 0 ? yamlBlock(shown, g) : '<p class="muted">The grant service reported no AccessGrant.</p>';
  const exchanges = ev.exchanges ?? [];
  const leftOut = typeof ev.exchangesLeftOut === 'number' ? ev.exchangesLeftOut : 0;
  const total = exchanges.length + leftOut;
  return `<section class="wide"><h4>AccessGrants observed</h4>${observedHtml}</section>
<section class="wide"><h4>Exchanges with the grant service <span class="muted">(${total} request${total === 1 ? '' : 's'})</span></h4>${exchangesHtml(exchanges, leftOut, g)}</section>`;
}

/** A failed scenario as a collapsed block, opened to its evidence. */
export function evidenceHtml(result: RunResult, req: RequirementResult, s: ScenarioResult, id: string, g: Guard): string {
  const outcome = scenarioOutcome(s, result);
  const message = splitMessage(s.failure?.message ?? '');
  const details = s.failure?.details && s.failure.details.trim() !== (s.failure.message ?? '').trim() ? s.failure.details : message.stack;
  const ev: Evidence = s.evidence ?? {};
  const grantSide = ev.side === 'grant-service';
  // what an implementation observed may be missing parts, or be no observation at all
  const error = observeError(ev);
  const observed = (error === undefined ? ev.observed ?? {} : {}) as Partial<Observation>;
  const tokens = (observed.accessTokens ?? []).map((t) => {
    const token: Partial<AccessToken> = t ?? {};
    return { name: token.metadata?.name, generation: token.metadata?.generation, spec: token.spec, status: token.status ?? null };
  });
  const created = { secrets: observed.secrets ?? [], links: observed.links ?? [] };
  const observedHtml = error !== undefined
    ? `<pre class="message">${escapeHtml(g(error))}</pre>`
    : tokens.length > 0 ? yamlBlock(tokens, g) : '<p class="muted">The implementation reported no AccessToken.</p>';
  const createdHtml = error !== undefined
    ? '<p class="muted">Not observed (see above).</p>'
    : created.secrets.length + created.links.length > 0 ? yamlBlock(created, g) : '<p class="muted">None: the site has no Secret and no Link.</p>';
  const site: Partial<Site> | undefined = ev.site;
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
${grantSide ? grantEvidenceHtml(ev, g) : `<section><h4>AccessToken observed</h4>${observedHtml}</section>
<section><h4>Secrets and Links created</h4>${createdHtml}</section>
<section class="wide"><h4>Grant service transcript <span class="muted">(${(ev.transcript ?? []).length} request${(ev.transcript ?? []).length === 1 ? '' : 's'})</span></h4>${transcriptHtml(ev.transcript, g)}</section>`}
<section class="wide repro"><h4>Reproduce</h4><pre>${escapeHtml(g(reproduceCommand(result, req.id)))}</pre>
${site ? `<p class="muted">${grantSide ? 'Issuing site' : 'Site'} ${escapeHtml(g(site.name ?? ''))} in namespace ${escapeHtml(g(site.namespace ?? ''))}, uid ${escapeHtml(g(site.uid ?? ''))}</p>` : ''}</section>
</div>
</details>`;
}
