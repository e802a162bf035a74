// Turns `--impl` into an Implementation: a built-in name, a bundled broken implementation, or a module
// path. Anything wrong with the choice is a ConfigurationError: one line, exit 2, no stack trace.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CreateImplementation, Implementation } from './contract.ts';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

const here = dirname(fileURLToPath(import.meta.url));
// .ts under tsx in development, .js once built
const ext = extname(fileURLToPath(import.meta.url));
/** The package root: holds features/ both in the source tree and in the installed package. */
export const packageRoot = resolve(here, ext === '.ts' ? '..' : '../..');
const codeRoot = resolve(here, '..');

/** The suite's version, from its package.json: reports name it, and the reference shares it. */
export function suiteVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export const BUILT_IN_IMPLEMENTATIONS: Record<string, string> = {
  reference: join(codeRoot, 'adapters', `reference${ext}`),
  kubernetes: join(codeRoot, 'adapters', 'kubernetes', `adapter${ext}`),
  command: join(codeRoot, 'adapters', 'command', `adapter${ext}`),
};

export const BROKEN_DIR = join(codeRoot, 'fixtures', 'broken');

/** Where the module for an `--impl` value lives. */
export function resolveImplementation(spec: string, cwd = process.cwd()): string {
  if (BUILT_IN_IMPLEMENTATIONS[spec]) return BUILT_IN_IMPLEMENTATIONS[spec];
  if (spec.startsWith('broken/')) {
    const file = join(BROKEN_DIR, `${spec.slice('broken/'.length)}${ext}`);
    if (!existsSync(file)) throw new ConfigurationError(`--impl ${spec}: no bundled broken implementation of that name (see fixtures/broken/)`);
    return file;
  }
  if (spec.startsWith('.') || isAbsolute(spec) || /\.(m?js|ts)$/.test(spec)) {
    const file = resolve(cwd, spec);
    if (!existsSync(file)) throw new ConfigurationError(`--impl ${spec}: no such file (${file})`);
    return file;
  }
  throw new ConfigurationError(
    `--impl ${spec}: not a known implementation (${Object.keys(BUILT_IN_IMPLEMENTATIONS).join(', ')}, broken/<name>) nor a module path (./impl.js)`,
  );
}

/** Checks that what a module made honours the contract's shape; returns the first problem found. */
export function contractProblem(impl: unknown): string | undefined {
  if (!impl || typeof impl !== 'object') return 'create() did not return an object';
  const i = impl as Record<string, unknown>;
  if (typeof i.name !== 'string' || i.name === '') return 'the implementation has no name';
  for (const m of ['apply', 'observe']) if (typeof i[m] !== 'function') return `the implementation has no ${m}() method`;
  for (const m of ['prepareSite', 'resync', 'deleteSite', 'close']) {
    if (i[m] !== undefined && typeof i[m] !== 'function') return `${m} is not a function`;
  }
  if (i.features !== undefined && (!Array.isArray(i.features) || i.features.some((f) => typeof f !== 'string'))) {
    return 'features is not a list of strings';
  }
  return undefined;
}

/** Imports the module and calls its default export. Throws ConfigurationError for anything unusable. */
export async function loadImplementation(spec: string, options: Record<string, string> = {}, cwd = process.cwd()): Promise<Implementation> {
  const file = resolveImplementation(spec, cwd);
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(file).href);
  } catch (e) {
    throw new ConfigurationError(`--impl ${spec}: the module could not be loaded: ${firstLine(e)}`);
  }
  if (typeof module.default !== 'function') {
    throw new ConfigurationError(`--impl ${spec}: the module has no default export function create(options)`);
  }
  let impl: unknown;
  try {
    impl = await (module.default as CreateImplementation)(options);
  } catch (e) {
    throw new ConfigurationError(`--impl ${spec}: create() failed: ${firstLine(e)}`);
  }
  const problem = contractProblem(impl);
  if (problem) throw new ConfigurationError(`--impl ${spec}: ${problem} (see docs/adapters.md)`);
  return impl as Implementation;
}

export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
