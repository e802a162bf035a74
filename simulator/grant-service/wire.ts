// The grant service's side of the wire, shared by the registry, the HTTPS service and the foreign service:
// what a request carries (headers, the grant's key in its path, the names a redemption is made under) and
// what an answer is (typed documents until it is written, serialised once by wireBody).
import { toYamlStream, type Link, type Secret } from '../../model/resources.ts';

/** Headers as node:http (and mockttp) hand them over. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A document of a redemption answer. */
export type GrantDocument = Secret | Link;

export interface GrantAnswer {
  status: number;
  headers: Record<string, string>;
  /** The documents of a redemption, typed until wireBody writes them as a YAML stream. */
  documents?: readonly GrantDocument[];
  /** Raw text written after the documents, or alone: Go's http.Error text, or bytes a fault puts on the wire. */
  text?: string;
  /** The grant the request was decided against, when one was found. */
  grantUid?: string;
}

/** The headers of Go's http.Error. */
export const ERROR_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

/** Go's http.Error: the text and a newline, as plain text that must not be sniffed. */
export function httpError(status: number, text: string, grantUid?: string): GrantAnswer {
  return { status, headers: { ...ERROR_HEADERS }, text: `${text}\n`, grantUid };
}

/** A successful redemption: the documents, as Skupper's grant server writes them (text/plain). */
export function redemptionAnswer(documents: readonly GrantDocument[], grantUid?: string): GrantAnswer {
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, documents, grantUid };
}

/** The bytes of an answer's body: its documents as a YAML stream, then its raw text. The one serialisation. */
export function wireBody(answer: GrantAnswer): string {
  return (answer.documents ? toYamlStream([...answer.documents]) : '') + (answer.text ?? '');
}

/** One header's value; repeated headers are joined with ", " as node:http joins them. */
export function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** Headers as one string each, for the request logs. */
export function flattenHeaders(headers: RequestHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = headerValue(v);
  return out;
}

/**
 * The names a redemption is made under, as Skupper's grant server takes them: the `name` header or else
 * the grant's name for the Secret and Links, the `subject` header or else that name for the certificate.
 */
export function redemptionNames(headers: RequestHeaders, grantName: string): { name: string; subject: string } {
  const name = headerValue(headers.name) || grantName;
  return { name, subject: headerValue(headers.subject) || name };
}

/** The key a grant is looked up by: the path without its query and with every '/' removed ('/<uid>/' and '//<uid>' resolve too). */
export function grantKey(path: string): string {
  return path.split('?')[0].split('/').join('');
}
