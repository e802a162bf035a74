// The hostile side of redeeming at a grant service under test: raw requests with any method and path,
// wrong codes (the burst of concurrent redemptions is in grant-burst.ts). Every probe trusts only the grant's status.ca, speaks TLS 1.3, and
// ends by a deadline: a service that never answers gives an answer with an error, never a hung scenario.
// The judgements over what came back are plain functions, so the unit tests reach them.
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { withDeadline } from './deadline.ts';

/** How long a probe waits for its answer unless told otherwise (a redeemer's 10 s client timeout). */
export const PROBE_TIMEOUT_MS = 10_000;

/** What came back from one probe: an HTTP answer, or why none arrived. */
export interface ProbeAnswer {
  status?: number;
  body?: string;
  error?: string;
}

export interface RawRequest {
  /** Where to send it: a grant's status.url, or another path on the same service. */
  url: string;
  method: string;
  /** The body; none for a HEAD. */
  body?: string;
  headers?: Record<string, string>;
  /** The only CA trusted: the grant's status.ca. */
  ca: string;
  timeoutMs?: number;
}

export function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code && !String(e.message).includes(e.code) ? `${e.message} (${e.code})` : String(e?.message ?? error);
}

/** Where a URL connects: host without IPv6 brackets, port, and the SNI name (none for an IP literal: SNI takes host names only). */
export function target(url: URL): { host: string; port: number; servername?: string } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  return isIP(host) ? { host, port } : { host, port, servername: host };
}

/** The TLS options of every probe: only the grant's CA, TLS 1.3 or newer, the URL's host verified. */
export function tlsOptions(url: URL, ca: string): tls.ConnectionOptions {
  // the identity check uses the host with or without a servername
  return { ...target(url), ca, minVersion: 'TLSv1.3' };
}

/** One request with any method, path and body, over HTTPS trusting only `ca`; never rejects. */
export function sendRaw(request: RawRequest): Promise<ProbeAnswer> {
  const url = new URL(request.url);
  if (url.protocol !== 'https:') return Promise.resolve({ error: `${request.url} is not an https URL` });
  const timeoutMs = request.timeoutMs ?? PROBE_TIMEOUT_MS;
  const body = request.method === 'HEAD' || request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return withDeadline<ProbeAnswer>(
    timeoutMs,
    () => ({ error: `no answer within ${timeoutMs} ms` }),
    (finish) => {
      const req = https.request(
        {
          ...tlsOptions(url, request.ca),
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish({ status: res.statusCode, error: describeError(e) }));
          res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', (e) => finish({ error: describeError(e) }));
      req.end(body);
      return { close: () => req.destroy() };
    },
  );
}

/** The URL of a grant that does not exist on the same service: the last path segment replaced by a fresh uid. */
export function unknownGrantUrl(grantUrl: string): string {
  const url = new URL(grantUrl);
  url.pathname = url.pathname.replace(/[^/]*$/, randomUUID());
  url.search = '';
  return url.href;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Codes that are not the grant's code, each a mistake a loose comparison would let through. */
export const WRONG_CODES: Record<string, (code: string) => string> = {
  'another code of the same length': (code) => {
    for (;;) {
      const other = Array.from(randomBytes(Math.max(code.length, 1)), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
      if (other !== code) return other;
    }
  },
  'an empty body': () => '',
  'the code without its last character': (code) => code.slice(0, -1),
  'the code with its letters in the other case': (code) => {
    const swapped = swapCase(code);
    // a code of digits only has no case: change its last character instead
    return swapped !== code ? swapped : `${code.slice(0, -1)}${code.endsWith('a') ? 'b' : 'a'}`;
  },
};

/** The wrong code of that kind for `code`; throws naming the known kinds for an unknown one. */
export function wrongCode(kind: string, code: string): string {
  const make = WRONG_CODES[kind];
  if (!make) throw new Error(`no wrong code "${kind}": say one of ${Object.keys(WRONG_CODES).map((k) => `"${k}"`).join(', ')}`);
  const wrong = make(code);
  if (wrong === code) throw new Error(`the wrong code "${kind}" came out as the grant's code`);
  return wrong;
}

// ---------------------------------------------------------------------------------------------------
// Judging what came back

/** The answer's body as a client reads it: Go's http.Error adds a newline, both clients trim. */
export function answerText(answer: ProbeAnswer): string {
  return (answer.body ?? '').trim();
}

/** An answer in words, for a failure message: never a 200's body (it holds a key). */
export function describeAnswer(answer: ProbeAnswer): string {
  if (answer.status === undefined) return `no answer (${answer.error ?? 'nothing came back'})`;
  if (answer.status === 200) return '200';
  const text = answerText(answer);
  return text ? `${answer.status} ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}` : `${answer.status} with an empty body`;
}

/** Answers counted by what they were: "3 × 200, 47 × 404 "No such access granted"". */
export function tally(answers: readonly ProbeAnswer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = a.status === undefined ? 'no answer' : describeAnswer(a);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join(', ');
}

/** Whether an answer is the one expected: this status and, when given, this text (trimmed). */
export function isAnswer(answer: ProbeAnswer, status: number, text?: string): boolean {
  return answer.status === status && (text === undefined || answerText(answer) === text);
}

/** Why an answer is not `status` with `text`, or undefined when it is. */
export function judgeAnswer(answer: ProbeAnswer, status: number, text: string, what = 'the request'): string | undefined {
  if (isAnswer(answer, status, text)) return undefined;
  return `expected ${what} to be answered ${status} ${JSON.stringify(text)}; the grant service answered ${describeAnswer(answer)}`;
}

/** Why an answer counts as a redemption served, or undefined when it was refused. */
export function judgeRefused(answer: ProbeAnswer, what = 'the request'): string | undefined {
  if (answer.status !== 200) return undefined;
  return `expected ${what} to be refused (any answer but 200); the grant service answered 200 and served a redemption`;
}

/** One burst of a round, as the rules judge it. */
export interface Round {
  grant: string;
  allowed: number;
  /** The burst's answers (a BurstResult). */
  result: { answers: readonly ProbeAnswer[] };
}

const served = (answers: readonly ProbeAnswer[]) => answers.filter((a) => a.status === 200).length;

/** MUST: no round served more than its grant allows. */
export function judgeAtMost(rounds: readonly Round[]): string | undefined {
  const over = rounds.filter((r) => served(r.result.answers) > r.allowed);
  if (over.length === 0) return undefined;
  return (
    `expected at most k answers 200 to ${rounds[0]?.result.answers.length ?? 0} concurrent redemptions of a grant allowing k; ` +
    `${over.length} of ${rounds.length} rounds served more: ` +
    over.map((r) => `grant "${r.grant}" (k = ${r.allowed}) answered ${tally(r.result.answers)}`).join('; ')
  );
}

/** SHOULD: every round served exactly what its grant allows, and refused the rest with `status` `text`. */
export function judgeExactly(rounds: readonly Round[], status: number, text: string): string | undefined {
  const wrong = rounds.filter((r) => {
    const n = served(r.result.answers);
    return n !== r.allowed || r.result.answers.some((a) => a.status !== 200 && !isAnswer(a, status, text));
  });
  if (wrong.length === 0) return undefined;
  return (
    `expected exactly k answers 200 and every other answer ${status} ${JSON.stringify(text)}; ${wrong.length} of ${rounds.length} rounds differ: ` +
    wrong.map((r) => `grant "${r.grant}" (k = ${r.allowed}) answered ${tally(r.result.answers)}`).join('; ')
  );
}

