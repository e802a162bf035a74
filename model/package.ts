// Where the suite's own files are, in the source tree (under tsx) and in the installed package (dist/).
import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** `.ts` under tsx in development, `.js` once built: the ending of the suite's own modules. */
export const moduleExt = extname(fileURLToPath(import.meta.url));
/** The package root: holds package.json, features/ and manifests/ both in the source tree and in the package. */
export const packageRoot = resolve(here, moduleExt === '.ts' ? '..' : '../..');
/** Where the suite's modules are: the package root in the source tree, dist/ once built. */
export const codeRoot = resolve(here, '..');

/** A module of the suite's by its path from the code root, without ending: `codeModule('adapters', 'load')`. */
export function codeModule(...parts: string[]): string {
  const last = parts.pop()!;
  return join(codeRoot, ...parts, `${last}${moduleExt}`);
}

/** The suite's version, from its package.json: reports name it, and the reference shares it. */
export function suiteVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
