// Command templates: `python3 redeem.py {tokenFile} --subject {siteId}` split into argv without a shell,
// placeholders filled in per argument (so a value with spaces stays one argument), or, with shell: "true",
// one string for `sh -c` with each value quoted when it needs to be.
import { homedir } from 'node:os';

export const PLACEHOLDERS = ['tokenFile', 'tokenName', 'namespace', 'siteName', 'siteId', 'stateDir', 'outputDir'] as const;
/** The grant-service side's templates (grant-options.ts): what an issuing command is told. */
export const GRANT_PLACEHOLDERS = ['grantName', 'issuedName', 'siteFile', 'redemptionsAllowed', 'expirationWindow'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number] | (typeof GRANT_PLACEHOLDERS)[number];
export type Values = Partial<Record<Placeholder, string>>;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Splits a command line into arguments as a POSIX shell would, without expanding anything: whitespace
 * separates arguments; '…' is literal; "…" keeps everything but \" \\ \$ \` (which lose the backslash);
 * a backslash outside quotes keeps the next character. Placeholders stay as they are.
 */
export function splitCommand(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new TemplateError(`unterminated ' quote at character ${i + 1}`);
      current += line.slice(i + 1, end);
      inArg = true;
      i = end + 1;
    } else if (c === '"') {
      inArg = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new TemplateError('unterminated " quote');
        const d = line[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
          current += line[i + 1];
          i += 2;
        } else {
          current += d;
          i++;
        }
      }
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new TemplateError('a backslash ends the command');
      current += line[i + 1];
      inArg = true;
      i += 2;
    } else {
      current += c;
      inArg = true;
      i++;
    }
  }
  if (inArg) args.push(current);
  return args;
}

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;

/** Throws a TemplateError naming the first placeholder the template may not use. */
export function checkTemplate(template: string, allowed: readonly Placeholder[]): void {
  for (const m of template.matchAll(TOKEN)) {
    if (m[1] === undefined) continue;
    if (!(allowed as readonly string[]).includes(m[1])) {
      const known = ([...PLACEHOLDERS, ...GRANT_PLACEHOLDERS] as readonly string[]).includes(m[1]);
      throw new TemplateError(
        known
          ? `{${m[1]}} cannot be used here (allowed: ${allowed.map((p) => `{${p}}`).join(', ')})`
          : `unknown placeholder {${m[1]}} (known: ${allowed.map((p) => `{${p}}`).join(', ')}; write {{ and }} for literal braces)`,
      );
    }
  }
}

/** Fills in the placeholders; `{{` and `}}` stand for literal braces. */
export function expand(template: string, values: Values, quote: (value: string) => string = (v) => v): string {
  return template.replace(TOKEN, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const value = values[name as Placeholder];
    if (value === undefined) throw new TemplateError(`no value for {${name}}`);
    return quote(value);
  });
}


/** A leading `~/` (or a lone `~`) is the home directory, as a shell would read it. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return `${homedir()}${path.slice(1)}`;
  return path;
}
