// Step matching without regexp-tree. cucumber-expressions takes each match's group positions from
// regexp-match-indices, a polyfill for the RegExp `d` flag (match indices). Its probe tries a RegExp made
// without the flag, so it never finds the native feature and always uses its JavaScript emulation, which
// parses every step definition's regexp with regexp-tree and regenerates it on every match: about 0.1 s
// of every run's start and of every cucumber worker's. Node 20 has the `d` flag, so this module puts the
// native equivalent in the polyfill's place in the module cache before cucumber loads it. Imported first
// by cli/bin.ts, and preloaded by the cucumber workers it forks (they take its process.execArgv).
// Importing it again, or after cucumber-expressions loaded, changes nothing.
import { createRequire, Module } from 'node:module';

/** RegExp.prototype.exec with `indices`: what regexp-match-indices' default export computes, done natively. */
export function execWithIndices(regexp: RegExp, input: string): RegExpExecArray | null {
  let withIndices = indexed.get(regexp);
  if (!withIndices) {
    withIndices = new RegExp(regexp.source, regexp.flags.includes('d') ? regexp.flags : `${regexp.flags}d`);
    indexed.set(regexp, withIndices);
  }
  withIndices.lastIndex = regexp.lastIndex;
  const match = withIndices.exec(input);
  regexp.lastIndex = withIndices.lastIndex;
  return match;
}

const indexed = new WeakMap<RegExp, RegExp>();

/** Where cucumber-expressions finds the polyfill, or undefined when it is not installed as expected. */
function polyfillPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const expressions = require.resolve('@cucumber/cucumber-expressions');
    return createRequire(expressions).resolve('regexp-match-indices');
  } catch {
    return undefined;
  }
}

/** Installs execWithIndices as the polyfill's module; false when the polyfill is absent or already loaded. */
export function installNativeMatchIndices(): boolean {
  const path = polyfillPath();
  const cache = createRequire(import.meta.url).cache;
  if (!path || cache[path]) return false;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = execWithIndices;
  cache[path] = module;
  return true;
}

/** This module, for a process to preload with `--import`. */
export const NATIVE_MATCH_INDICES_MODULE = import.meta.url;

installNativeMatchIndices();
