// badge.svg: a shields.io-style badge for a README — the verdict's colour and "n/m MUST".
import type { RunResult, Verdict } from './results.ts';

export const BADGE_COLOURS: Record<Verdict, string> = {
  Conformant: '#4c1',
  'Conformant with warnings': '#dfb317',
  'Not conformant': '#e05d44',
};

const VERDICT_WORD: Record<Verdict, string> = {
  Conformant: 'conformant',
  'Conformant with warnings': 'conformant, warnings',
  'Not conformant': 'not conformant',
};

// Verdana 11px advance widths (what shields.io measures with), in px; others count as 7.
const WIDE = 'mwMW@%';
const NARROW = 'fijlrt.,:;!|\' ';
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    if (WIDE.includes(ch)) w += 10.5;
    else if (NARROW.includes(ch)) w += ch === ' ' ? 3.9 : 4.2;
    else if (ch === '/' || ch === '(' || ch === ')') w += 4.9;
    else if (ch >= 'A' && ch <= 'Z') w += 7.6;
    else w += 6.9;
  }
  return Math.ceil(w);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function badgeMessage(result: RunResult): string {
  return `${VERDICT_WORD[result.verdict]}${result.partial ? ' (partial)' : ''} · ${result.mustPassed}/${result.mustTotal} MUST`;
}

export function renderBadge(result: RunResult, label = 'AccessToken'): string {
  const message = badgeMessage(result);
  const colour = BADGE_COLOURS[result.verdict];
  const lw = textWidth(label) + 12;
  const mw = textWidth(message) + 12;
  const width = lw + mw;
  const title = `${label}: ${message}`;
  // text is drawn at 10x and scaled down, as shields.io does, for crisp rendering at small sizes
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${esc(title)}">
<title>${esc(title)}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${colour}"/><rect width="${width}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">
<text aria-hidden="true" x="${lw * 5}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${(lw - 12) * 10}">${esc(label)}</text>
<text x="${lw * 5}" y="140" transform="scale(.1)" textLength="${(lw - 12) * 10}">${esc(label)}</text>
<text aria-hidden="true" x="${(lw + mw / 2) * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${(mw - 12) * 10}">${esc(message)}</text>
<text x="${(lw + mw / 2) * 10}" y="140" transform="scale(.1)" textLength="${(mw - 12) * 10}">${esc(message)}</text>
</g>
</svg>
`;
}
