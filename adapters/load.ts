// Turns `--impl` into an Implementation: a built-in name, a bundled broken implementation, or a module
// path. Anything wrong with the choice is a ConfigurationError: one line, exit 2, no stack trace.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeModule, codeRoot, moduleExt } from '../model/package.ts';
import { firstLine } from '../model/text.ts';
import type { CreateImplementation, Implementation } from './contract.ts';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

// The built-in implementations are found by file and loaded through the same door as a user's module:
// adapters/ never imports the references in simulator/ (docs/architecture.md), it only knows where they are.
export const BUILT_IN_IMPLEMENTATIONS: Record<string, string> = {
  reference: codeModule('simulator', 'redeemer', 'implementation'),
  kubernetes: codeModule('adapters', 'kubernetes', 'adapter'),
  command: codeModule('adapters', 'command', 'adapter'),
};

/** The reference Kubernetes controller, which `--impl kubernetes` runs in-process on request. */
export const REFERENCE_CONTROLLER_MODULE = codeModule('simulator', 'redeemer', 'kubernetes', 'controller');

export const BROKEN_DIR = join(codeRoot, 'fixtures', 'broken');

/** Where the module for an `--impl` value lives. */
export function resolveImplementation(spec: string, cwd = process.cwd()): string {
  if (BUILT_IN_IMPLEMENTATIONS[spec]) return BUILT_IN_IMPLEMENTATIONS[spec];
  if (spec.startsWith('broken/')) {
    const file = join(BROKEN_DIR, `${spec.slice('broken/'.length)}${moduleExt}`);
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
