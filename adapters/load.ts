// Turns `--impl` into an Implementation: a built-in name, a bundled broken implementation, or a module
// path. Anything wrong with the choice is a ConfigurationError: one line, exit 2, no stack trace.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeModule, codeRoot, moduleExt } from '../model/package.ts';
import { firstLine } from '../model/text.ts';
import type { CreateGrantService, CreateImplementation, GrantServiceImplementation, Implementation, Side } from './contract.ts';
import { IsolatedStartError, startIsolated } from './isolated/process.ts';

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

/** `--side grant-service`: the grant services built in. */
export const BUILT_IN_GRANT_SERVICES: Record<string, string> = {
  reference: codeModule('simulator', 'grant-service', 'implementation'),
  kubernetes: codeModule('adapters', 'kubernetes', 'grants'),
  command: codeModule('adapters', 'command', 'grants'),
};

/** The reference Kubernetes controller, which `--impl kubernetes` runs in-process on request. */
export const REFERENCE_CONTROLLER_MODULE = codeModule('simulator', 'redeemer', 'kubernetes', 'controller');

export const BROKEN_DIR = join(codeRoot, 'fixtures', 'broken');
/** The deliberately broken grant services (`--side grant-service --impl broken/<name>`). */
export const BROKEN_GRANT_SERVICES_DIR = join(codeRoot, 'fixtures', 'broken-grant-services');

/**
 * Whether an `--impl` value is a module path given by the user (`./impl.js`, an absolute path, `*.ts`,
 * `*.mjs`, `*.js`), not a built-in name or `broken/<name>`. Those run in a process of their own.
 */
export function isModulePath(spec: string, side: Side = 'redeemer'): boolean {
  const builtIn = side === 'redeemer' ? BUILT_IN_IMPLEMENTATIONS : BUILT_IN_GRANT_SERVICES;
  return !builtIn[spec] && !spec.startsWith('broken/') && (spec.startsWith('.') || isAbsolute(spec) || /\.(m?js|ts)$/.test(spec));
}

/** Where the module for an `--impl` value lives. */
export function resolveImplementation(spec: string, cwd = process.cwd(), side: Side = 'redeemer'): string {
  const builtIn = side === 'redeemer' ? BUILT_IN_IMPLEMENTATIONS : BUILT_IN_GRANT_SERVICES;
  if (builtIn[spec]) return builtIn[spec];
  if (spec.startsWith('broken/')) {
    const dir = side === 'redeemer' ? BROKEN_DIR : BROKEN_GRANT_SERVICES_DIR;
    const file = join(dir, `${spec.slice('broken/'.length)}${moduleExt}`);
    if (!existsSync(file)) throw new ConfigurationError(`--impl ${spec}: no bundled broken ${side === 'redeemer' ? 'implementation' : 'grant service'} of that name (see ${relativeToCode(dir)}/)`);
    return file;
  }
  if (isModulePath(spec, side)) {
    const file = resolve(cwd, spec);
    if (!existsSync(file)) throw new ConfigurationError(`--impl ${spec}: no such file (${file})`);
    return file;
  }
  throw new ConfigurationError(
    `--impl ${spec}: not a known ${side === 'redeemer' ? 'implementation' : 'grant service'} (${Object.keys(builtIn).join(', ')}, broken/<name>) nor a module path (./impl.js)`,
  );
}

const METHODS: Record<Side, { required: string[]; optional: string[] }> = {
  redeemer: { required: ['apply', 'observe'], optional: ['prepareSite', 'resync', 'deleteSite', 'deleteToken', 'waitForChange', 'close'] },
  'grant-service': { required: ['applyGrant', 'observe'], optional: ['prepareSite', 'deleteGrant', 'close'] },
};

/** Checks that what a module made honours its side's contract shape; returns the first problem found. */
export function contractProblem(impl: unknown, side: Side = 'redeemer'): string | undefined {
  if (!impl || typeof impl !== 'object') return 'create() did not return an object';
  const i = impl as Record<string, unknown>;
  if (typeof i.name !== 'string' || i.name === '') return 'the implementation has no name';
  for (const m of METHODS[side].required) if (typeof i[m] !== 'function') return `the implementation has no ${m}() method`;
  for (const m of METHODS[side].optional) {
    if (i[m] !== undefined && typeof i[m] !== 'function') return `${m} is not a function`;
  }
  if (i.features !== undefined && (!Array.isArray(i.features) || i.features.some((f) => typeof f !== 'string'))) {
    return 'features is not a list of strings';
  }
  return undefined;
}

/**
 * Imports the module and calls its default export. Throws ConfigurationError for anything unusable. A
 * module given by path runs in a process of its own (isolated/: a crash there cannot end the run); the
 * built-ins and the bundled broken ones run in this process.
 */
async function load(spec: string, options: Record<string, string>, cwd: string, side: Side): Promise<unknown> {
  const file = resolveImplementation(spec, cwd, side);
  if (isModulePath(spec, side)) return loadIsolated(spec, file, options, side);
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
    impl = await (module.default as CreateImplementation | CreateGrantService)(options);
  } catch (e) {
    throw new ConfigurationError(`--impl ${spec}: create() failed: ${firstLine(e)}`);
  }
  const problem = contractProblem(impl, side);
  if (problem) throw new ConfigurationError(`--impl ${spec}: ${problem} (see docs/adapters.md)`);
  return impl;
}

/** A module given by path, in a child process: the same checks and the same one-line messages. */
async function loadIsolated(spec: string, file: string, options: Record<string, string>, side: Side): Promise<unknown> {
  const methods = [...METHODS[side].required, ...METHODS[side].optional];
  let isolated;
  try {
    isolated = await startIsolated({ file, options, methods });
  } catch (e) {
    throw e instanceof IsolatedStartError ? new ConfigurationError(`--impl ${spec}: ${e.message}`) : e;
  }
  const problem = contractProblem(isolated.standIn, side);
  if (problem) {
    await isolated.implementation.close().catch(() => undefined);
    throw new ConfigurationError(`--impl ${spec}: ${problem} (see docs/adapters.md)`);
  }
  return isolated.implementation;
}

/** The redeemer under test. */
export async function loadImplementation(spec: string, options: Record<string, string> = {}, cwd = process.cwd()): Promise<Implementation> {
  return (await load(spec, options, cwd, 'redeemer')) as Implementation;
}

/** The grant service under test (`--side grant-service`). */
export async function loadGrantService(spec: string, options: Record<string, string> = {}, cwd = process.cwd()): Promise<GrantServiceImplementation> {
  return (await load(spec, options, cwd, 'grant-service')) as GrantServiceImplementation;
}

/** Either side's implementation, for what only needs its name, version and features. */
export function loadForSide(side: Side, spec: string, options: Record<string, string> = {}): Promise<Implementation | GrantServiceImplementation> {
  return side === 'redeemer' ? loadImplementation(spec, options) : loadGrantService(spec, options);
}

function relativeToCode(dir: string): string {
  return relative(codeRoot, dir);
}
