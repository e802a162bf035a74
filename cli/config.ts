// conformance.yaml: what a team keeps in its repository so the gate runs the same way every time.
// Flags override it. Unknown keys and bad values are errors that name them (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { BaselineEntry, ImplementationInfo } from '../reports/results.ts';
import { UsageError } from './errors.ts';

export interface RunConfig {
  impl?: string;
  implOptions: Record<string, string>;
  features?: string[];
  tags?: string;
  requirements?: string[];
  reportDir?: string;
  timeoutSeconds?: number;
  quietMs?: number;
  parallel?: number;
  grantHost?: string;
  listenHost?: string;
  metadata?: Partial<ImplementationInfo>;
  baseline?: BaselineEntry[];
}

const TOP_KEYS = ['implementation', 'impl', 'options', 'features', 'tags', 'requirements', 'reportDir', 'timeouts', 'parallel', 'grantHost', 'listenHost', 'baseline'];
const IMPLEMENTATION_KEYS = ['name', 'version', 'organization', 'url', 'contact'];
const TIMEOUT_KEYS = ['settleSeconds', 'quietPeriodMs'];

function fail(file: string, message: string): never {
  throw new UsageError(`${file}: ${message}`);
}

function readYaml(file: string): unknown {
  if (!existsSync(file)) fail(file, 'no such file');
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(file, `not valid YAML: ${String((e as Error).message).split('\n')[0]}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(file: string, where: string, value: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) fail(file, `unknown key "${where}${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function str(file: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') fail(file, `"${key}" must be a non-empty string`);
  return v;
}

function num(file: string, key: string, v: unknown, { integer = false, min = 0 } = {}): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || v < min || (integer && !Number.isInteger(v))) fail(file, `"${key}" must be ${integer ? 'a whole number' : 'a number'} of at least ${min}`);
  return v;
}

function strings(file: string, key: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, `"${key}" must be a list of strings`);
  return v as string[];
}

/** Reads an expected-failures baseline: a list of {id, reason, link?}. */
export function loadBaseline(file: string): BaselineEntry[] {
  const raw = readYaml(file);
  const list = isObject(raw) && 'expectedFailures' in raw ? raw.expectedFailures : raw;
  if (!Array.isArray(list)) fail(file, 'expected a list of {id, reason, link} entries (or expectedFailures: [...])');
  return list.map((entry, i) => {
    if (!isObject(entry)) fail(file, `entry ${i + 1} must be a mapping with id and reason`);
    checkKeys(file, `[${i}].`, entry, ['id', 'reason', 'link']);
    const id = str(file, `[${i}].id`, entry.id);
    const reason = str(file, `[${i}].reason`, entry.reason);
    if (!id) fail(file, `entry ${i + 1} has no id`);
    if (!reason) fail(file, `entry ${id} has no reason`);
    return { id, reason, link: str(file, `[${i}].link`, entry.link) };
  });
}

export function parseRunConfig(file: string, raw: unknown): RunConfig {
  if (raw === null || raw === undefined) return { implOptions: {} };
  if (!isObject(raw)) fail(file, 'expected a mapping at the top level');
  checkKeys(file, '', raw, TOP_KEYS);
  const config: RunConfig = { implOptions: {} };
  if (raw.implementation !== undefined) {
    if (!isObject(raw.implementation)) fail(file, '"implementation" must be a mapping');
    checkKeys(file, 'implementation.', raw.implementation, IMPLEMENTATION_KEYS);
    config.metadata = Object.fromEntries(
      IMPLEMENTATION_KEYS.filter((k) => (raw.implementation as Record<string, unknown>)[k] !== undefined).map((k) => [k, str(file, `implementation.${k}`, (raw.implementation as Record<string, unknown>)[k])]),
    );
  }
  config.impl = str(file, 'impl', raw.impl);
  if (raw.options !== undefined) {
    if (!isObject(raw.options)) fail(file, '"options" must be a mapping of strings');
    for (const [k, v] of Object.entries(raw.options)) {
      if (typeof v === 'object' && v !== null) fail(file, `"options.${k}" must be a string, number or boolean`);
      config.implOptions[k] = String(v);
    }
  }
  config.features = strings(file, 'features', raw.features);
  config.tags = str(file, 'tags', raw.tags);
  config.requirements = strings(file, 'requirements', raw.requirements);
  const reportDir = str(file, 'reportDir', raw.reportDir);
  config.reportDir = reportDir && resolve(dirname(file), reportDir);
  if (raw.timeouts !== undefined) {
    if (!isObject(raw.timeouts)) fail(file, '"timeouts" must be a mapping');
    checkKeys(file, 'timeouts.', raw.timeouts, TIMEOUT_KEYS);
    config.timeoutSeconds = num(file, 'timeouts.settleSeconds', raw.timeouts.settleSeconds, { min: 1 });
    config.quietMs = num(file, 'timeouts.quietPeriodMs', raw.timeouts.quietPeriodMs);
  }
  config.parallel = num(file, 'parallel', raw.parallel, { integer: true });
  config.grantHost = str(file, 'grantHost', raw.grantHost);
  config.listenHost = str(file, 'listenHost', raw.listenHost);
  const baseline = str(file, 'baseline', raw.baseline);
  if (baseline) config.baseline = loadBaseline(resolve(dirname(file), baseline));
  return config;
}

/** The configuration a run starts from: --config FILE (if any), and --baseline FILE on top. */
export async function loadRunConfig(flags: Record<string, unknown>): Promise<RunConfig> {
  const file = flags.config as string | undefined;
  const config = file ? parseRunConfig(file, readYaml(resolve(file))) : { implOptions: {} };
  if (flags.baseline) config.baseline = loadBaseline(resolve(flags.baseline as string));
  return config;
}
