// Flags: parsing, numbers and key=value lists. Anything wrong is a UsageError (one line, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { SIDES, type Side } from '../adapters/contract.ts';

export type Flags = Record<string, string | string[] | boolean | undefined>;
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export const USAGE = `usage: accesstoken-conformance [run] [--side redeemer|grant-service] [--impl reference|kubernetes|command|broken/<name>|./module.js]
                                 [--impl-option key=value]... [--tags EXPR] [--requirement ID]...
                                 [--report-dir DIR] [--timeout SECONDS] [--parallel auto|N] [--config FILE]
       accesstoken-conformance list [--side redeemer|grant-service] [--impl IMPL [--impl-option key=value]...] [--json]
       accesstoken-conformance serve [--redemptions N] [--expiration DURATION] [--code CODE]
                                 [--endpoint host:port[/group]]... [--token-file FILE] [--port N] [--host HOST]
       accesstoken-conformance controller [--kubeconfig FILE] [--context NAME] [--namespace NS]
                                 [--resync-seconds N] [--grant-port N] [--grant-host HOST]`;

/** Parses a command's flags (every command also takes --help); no positionals. */
export function parse(argv: string[], options: FlagOptions): { values: Flags } {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(String((e as Error).message).split('\n')[0].replace(/\. To specify.*$/, ''));
  }
}

/** `--side`: which half of a token's life is under test; default the redeemer. */
export function sideFlag(value: string | undefined, fallback: Side = 'redeemer'): Side {
  if (value === undefined) return fallback;
  if (!(SIDES as readonly string[]).includes(value)) throw new UsageError(`--side ${value}: expected ${SIDES.join(' or ')}`);
  return value as Side;
}

/** `key=value` items of a repeatable flag, as a record. */
export function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${item}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A flag's number, at least `min` (a whole number when asked), or the fallback when the flag is absent. */
export function positiveNumber(value: string | undefined, flag: string, fallback: number, { integer = false, min = 0 } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} ${value}: expected ${integer ? 'a whole number' : 'a number'} of at least ${min}`);
  }
  return n;
}

/** `--parallel`: `auto` (the default: chosen from the plan) or a number of worker processes, 0 for serial. */
export function parallelFlag(value: string | undefined, fallback: number | 'auto' = 'auto'): number | 'auto' {
  if (value === undefined || value === 'auto') return value ?? fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--parallel ${value}: expected auto or a whole number of at least 0 (0 runs serially)`);
  return Number(value);
}

export const RUN_OPTIONS = {
  side: { type: 'string' },
  impl: { type: 'string' },
  'impl-option': { type: 'string', multiple: true },
  tags: { type: 'string' },
  requirement: { type: 'string', multiple: true },
  'report-dir': { type: 'string' },
  timeout: { type: 'string' },
  'quiet-period': { type: 'string' },
  parallel: { type: 'string' },
  config: { type: 'string' },
  baseline: { type: 'string' },
  'grant-host': { type: 'string' },
  'listen-host': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string' },
  quiet: { type: 'boolean' },
} as const satisfies FlagOptions;
