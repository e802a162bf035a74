// What a grant service's answer is read as: handleTokenResponse's decoding (spec §3.1) of the body into
// the Secret and the Links, as apimachinery's YAMLOrJSONDecoder splits a stream of documents.
import { parse as parseYaml } from 'yaml';
import type { Link, Secret } from '../../model/resources.ts';

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
  const value = trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(doc);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError('not an object');
  return value as Record<string, unknown>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * handleTokenResponse's decodeAll: the first document is the Secret (any failure is an error); then
 * Links until the first document that does not decode, which ends the stream silently.
 */
export function decodeRedemptionResponse(body: string): { secret: Secret; links: Link[] } {
  // YAMLOrJSONDecoder: a body whose first 1024 bytes start (after whitespace) with `{` is a JSON stream,
  // values one after another with no `---` between them; anything else is a YAML stream
  const docs = /^\s*\{/.test(body.slice(0, 1024)) ? splitJsonStream(body) : splitYamlStream(body);
  if (docs.length === 0) throw new DecodeError('EOF');
  let secret: Secret;
  try {
    secret = decodeObject(docs[0]) as unknown as Secret;
    for (const v of Object.values(secret.data ?? {})) {
      if (typeof v !== 'string' || !BASE64.test(v)) throw new DecodeError('illegal base64 data');
    }
  } catch (e) {
    throw new DecodeError((e as Error).message);
  }
  const links: Link[] = [];
  for (const doc of docs.slice(1)) {
    try {
      links.push(decodeObject(doc) as unknown as Link);
    } catch {
      break;
    }
  }
  return { secret, links };
}
