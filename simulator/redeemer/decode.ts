// What a grant service's answer is read as: handleTokenResponse's decoding (spec §3.1) of the body into
// the Secret and the Links, as apimachinery's YAMLOrJSONDecoder splits a stream of documents.
import { yaml, type Link, type Secret } from '../../model/resources.ts';

export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Splits a YAML stream on `---` lines, as apimachinery's YAMLReader does, dropping empty documents. */
export function splitYamlStream(body: string): string[] {
  const docs: string[] = [];
  let current: string[] = [];
  for (const line of body.split('\n')) {
    if (/^---\s*$/.test(line)) {
      if (current.join('\n').trim() !== '') docs.push(current.join('\n'));
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.join('\n').trim() !== '') docs.push(current.join('\n'));
  return docs;
}

/**
 * Splits a stream of JSON values (`{…} {…}`) as encoding/json's Decoder reads them. Text that is not a
 * complete value ends the stream there: it becomes the last piece, whose decoding then fails.
 */
export function splitJsonStream(body: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /\s/.test(body[i])) i++;
    if (i >= body.length) break;
    const start = i;
    let depth = 0;
    let inString = false;
    let end = -1;
    for (; i < body.length; i++) {
      const c = body[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          end = i + 1;
          break;
        }
      } else if (depth === 0 && /\s/.test(c)) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      values.push(body.slice(start));
      break;
    }
    values.push(body.slice(start, end));
    i = end;
  }
  return values;
}

function decodeObject(doc: string): Record<string, unknown> {
  const trimmed = doc.trimStart();
  const value = trimmed.startsWith('{') ? JSON.parse(trimmed) : yaml().parse(doc);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError('not an object');
  return value as Record<string, unknown>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The documents of an answer as handleTokenResponse's decodeAll reads them, whatever their kind: the first
 * must decode (an object whose data, if any, is base64), and the others are read until the first that does
 * not decode, which ends the stream silently.
 */
export function decodeDocuments(body: string): { first: Record<string, unknown>; rest: Record<string, unknown>[] } {
  // YAMLOrJSONDecoder: a body whose first 1024 bytes start (after whitespace) with `{` is a JSON stream,
  // values one after another with no `---` between them; anything else is a YAML stream
  const docs = /^\s*\{/.test(body.slice(0, 1024)) ? splitJsonStream(body) : splitYamlStream(body);
  if (docs.length === 0) throw new DecodeError('EOF');
  let first: Record<string, unknown>;
  try {
    first = decodeObject(docs[0]);
    for (const v of Object.values((first.data as Record<string, unknown> | undefined) ?? {})) {
      if (typeof v !== 'string' || !BASE64.test(v)) throw new DecodeError('illegal base64 data');
    }
  } catch (e) {
    throw new DecodeError((e as Error).message);
  }
  const rest: Record<string, unknown>[] = [];
  for (const doc of docs.slice(1)) {
    try {
      rest.push(decodeObject(doc));
    } catch {
      break;
    }
  }
  return { first, rest };
}

/**
 * handleTokenResponse's decodeAll: the first document is the Secret (any failure is an error); then
 * Links until the first document that does not decode, which ends the stream silently. Unlike Skupper's
 * decoder, which decodes into typed structs and never looks at `kind`, a document must say what it is:
 * a first document that is not a Secret is an error, and a later one that is not a Link ends the stream
 * as a broken document does. A ClusterRoleBinding or a Pod in an answer never becomes anything.
 */
export function decodeRedemptionResponse(body: string): { secret: Secret; links: Link[] } {
  const { first, rest } = decodeDocuments(body);
  if (first.kind !== 'Secret') throw new DecodeError(`the first document is ${describeKind(first.kind)}, not a Secret`);
  const links: Link[] = [];
  for (const doc of rest) {
    if (doc.kind !== 'Link') break;
    links.push(doc as unknown as Link);
  }
  return { secret: first as unknown as Secret, links };
}

function describeKind(kind: unknown): string {
  return typeof kind === 'string' && kind !== '' ? `a ${kind}` : 'of no kind';
}
