// Token codes and private keys never reach a report or the console. Everything that leaves a scenario
// (attachments, error messages, transcripts) passes through here first. A redaction says what it hid and
// keeps enough to compare: a code's length and the start of its SHA-256.
import { createHash } from 'node:crypto';

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;
// base64 runs long enough to hold a PEM block
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

/** The start of a code's SHA-256, as its marker shows it. */
export function codeDigest(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex').slice(0, 12);
}

export function codeMarker(code: string): string {
  return `[redacted code: ${Buffer.byteLength(code, 'utf8')} bytes, sha256 ${codeDigest(code)}]`;
}

export const PRIVATE_KEY_MARKER = '[redacted private key]';

/** Whether a base64 run decodes to text that holds a private key. */
export function base64HidesPrivateKey(run: string): boolean {
  return Buffer.from(run, 'base64').toString('latin1').includes('PRIVATE KEY');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces known codes, PEM private keys and base64-encoded private keys in a text. */
export function redactText(text: string, codes: Iterable<string> = []): string {
  let out = text.replace(PEM_PRIVATE_KEY, PRIVATE_KEY_MARKER);
  out = out.replace(BASE64_RUN, (run) => (base64HidesPrivateKey(run) ? PRIVATE_KEY_MARKER : run));
  // longest first, so a code that contains another is hidden whole; very short codes would hide ordinary words
  const sorted = [...new Set(codes)].filter((c) => c.trim().length >= 4).sort((a, b) => b.length - a.length);
  for (const code of sorted) {
    out = out.replace(new RegExp(escapeRegExp(code), 'g'), codeMarker(code));
    const b64 = Buffer.from(code, 'utf8').toString('base64');
    if (b64.length >= 8) out = out.replace(new RegExp(escapeRegExp(b64), 'g'), codeMarker(code));
  }
  return out;
}

/** A deep copy of a value with every string redacted, and the fields that hold secrets replaced. */
export function redactValue<T>(value: T, codes: Iterable<string> = []): T {
  const codeList = [...codes];
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      if (key === 'code') return codeMarker(v);
      if (key === 'tls.key' || key === 'keyPem') return PRIVATE_KEY_MARKER;
      return redactText(v, codeList);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value) as T;
}
