// A small YAML emitter for plain data (maps, lists, strings, numbers, booleans, null): ten times faster
// than a general one, which keeps the reports well inside their time budget. Strings are plain when
// nothing could misread them, block literals when they span lines, JSON-quoted otherwise (a JSON
// string is a valid YAML double-quoted scalar). test/reports/yaml-emit.test.ts round-trips it through
// the yaml package.

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~|nan|inf)$/i;
// C0 controls other than tab and newline, DEL, C1 controls, and the BOM: YAML wants them escaped
// (lone surrogates are escaped by JSON.stringify)
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]/g;

function quoted(text: string): string {
  return JSON.stringify(text).replace(NON_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function blockable(text: string): boolean {
  if (!text.includes('\n') || text.includes('\r')) return false;
  NON_PRINTABLE.lastIndex = 0;
  if (NON_PRINTABLE.test(text)) return false;
  if (/^[ \t\n]/.test(text)) return false; // a leading space would need an indentation indicator
  if (/[ \t]\n|[ \t]$/.test(text)) return false; // trailing spaces are easy to lose; keep them visible
  return !/\t/.test(text);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value !== value ? '.nan' : value > 0 ? '.inf' : '-.inf';
  const text = String(value);
  if (PLAIN.test(text) && !RESERVED.test(text)) return text;
  return quoted(text);
}

function key(name: string): string {
  return PLAIN.test(name) && !RESERVED.test(name) ? name : quoted(name);
}

function block(text: string, indent: string): string {
  const trailing = /\n*$/.exec(text)![0].length;
  const chomp = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
  const body = trailing === 0 ? text : text.slice(0, text.length - trailing);
  const lines = body.split('\n').map((l) => (l === '' ? '' : indent + l));
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `${chomp}\n${lines.join('\n')}\n${extra}`;
}

function isCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).length > 0);
}

function emptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isCollection(v)) return '{}';
  return undefined;
}

/** `value` after "key:" or "- ": the rest of that line and the lines after it. */
function emitValue(value: unknown, indent: string, afterDash: boolean): string {
  const empty = emptyCollection(value);
  if (empty) return ` ${empty}\n`;
  if (typeof value === 'string' && blockable(value)) return ` ${block(value, `${indent}  `)}`;
  if (!isCollection(value)) return ` ${scalar(value)}\n`;
  if (afterDash && !Array.isArray(value)) {
    // "- key: value" on the dash's line, the other keys aligned under it
    return ` ${emitMap(value, `${indent}  `, true)}`;
  }
  return `\n${Array.isArray(value) ? emitList(value, `${indent}  `) : emitMap(value, `${indent}  `, false)}`;
}

function emitMap(map: Record<string, unknown>, indent: string, firstInline: boolean): string {
  let text = '';
  let first = true;
  for (const [k, v] of Object.entries(map)) {
    if (v === undefined) continue;
    text += `${first && firstInline ? '' : indent}${key(k)}:${emitValue(v, indent, false)}`;
    first = false;
  }
  return text;
}

function emitList(list: unknown[], indent: string): string {
  return list.map((v) => `${indent}-${emitValue(v, indent, true)}`).join('');
}

/** YAML for plain data; `undefined` map values are left out, as JSON does. */
export function emitYaml(value: unknown): string {
  const empty = emptyCollection(value);
  if (empty) return `${empty}\n`;
  if (!isCollection(value)) return typeof value === 'string' && blockable(value) ? block(value, '  ') : `${scalar(value)}\n`;
  return Array.isArray(value) ? emitList(value, '') : emitMap(value, '', false);
}
