// conformance.yaml: what a team keeps in its repository so the gate runs the same way every time.
// Flags override it. Unknown keys and bad values are errors that name them (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KNOWN_FEATURES, KNOWN_GRANT_FEATURES, SIDES, type Side } from '../adapters/contract.ts';
import { isObject } from '../model/text.ts';
import { selectionProblem, suiteCatalogue } from './selection.ts';
import type { BaselineEntry, ImplementationInfo } from '../reports/results.ts';
import { UsageError } from './errors.ts';

export interface RunConfig {
  side?: Side;
  impl?: string;
  implOptions: Record<string, string>;
  features?: string[];
  tags?: string;
  requirements?: string[];
  reportDir?: string;
  timeoutSeconds?: number;
  quietMs?: number;
  parallel?: number | 'auto';
  grantHost?: string;
  listenHost?: string;
  metadata?: Partial<ImplementationInfo>;
  baseline?: BaselineEntry[];
}

const TOP_KEYS = ['side', 'implementation', 'impl', 'options', 'features', 'tags', 'requirements', 'reportDir', 'timeouts', 'parallel', 'grantHost', 'listenHost', 'baseline'];
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


/** Edit distance with transpositions (optimal string alignment), ignoring case: how far a typo is from a key. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

function checkKeys(file: string, where: string, value: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(value)) {
    if (allowed.includes(k)) continue;
    const near = allowed.filter((a) => distance(a, k) <= Math.max(2, Math.floor(a.length / 3))).sort((a, b) => distance(a, k) - distance(b, k))[0];
    fail(file, `unknown key "${where}${k}"${near ? ` (did you mean "${where}${near}"?)` : ''} (allowed: ${allowed.join(', ')})`);
  }
}

function str(file: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') {
    fail(file, `"${key}" must be a string, not the ${typeof v} ${String(v)}: quote it (${key.split('.').pop()}: "…") so YAML keeps it as written`);
  }
  if (typeof v !== 'string' || v === '') fail(file, `"${key}" must be a non-empty string`);
  return v;
}

/** Requirement IDs that must exist in the catalogue; the first that does not is named. */
function requirementIds(file: string, key: string, ids: string[]): string[] {
  for (const id of ids) {
    const problem = selectionProblem(suiteCatalogue(), { requirements: [id] });
    if (problem?.kind === 'unknown-ids' && problem.malformed.length > 0) fail(file, `"${key}": "${id}" is not a requirement ID (AT-XXX-000)`);
    if (problem) fail(file, `"${key}": ${id} is not a requirement in the catalogue (see "accesstoken-conformance list")`);
  }
  return ids;
}

function num(file: string, key: string, v: unknown, { integer = false, min = 0 } = {}): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || v < min || (integer && !Number.isInteger(v))) {
    fail(file, `"${key}" must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not ${JSON.stringify(v)}`);
  }
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
  if (raw === null || raw === undefined) return [];
  if (isObject(raw)) checkKeys(file, '', raw, ['expectedFailures']);
  const list = isObject(raw) ? (raw.expectedFailures ?? []) : raw;
  const at = isObject(raw) ? 'expectedFailures' : '';
  if (!Array.isArray(list)) fail(file, 'expected a list of {id, reason, link} entries (or expectedFailures: [...])');
  const seen = new Set<string>();
  return list.map((entry, i) => {
    if (!isObject(entry)) fail(file, `entry ${i + 1} must be a mapping with id and reason`);
    checkKeys(file, `${at}[${i}].`, entry, ['id', 'reason', 'link']);
    const id = str(file, `${at}[${i}].id`, entry.id);
    const reason = str(file, `${at}[${i}].reason`, entry.reason);
    if (!id) fail(file, `entry ${i + 1} has no id`);
    requirementIds(file, `${at}[${i}].id`, [id]);
    if (seen.has(id)) fail(file, `${id} is listed twice`);
    seen.add(id);
    if (!reason) fail(file, `entry ${id} has no reason (say why it is expected to fail)`);
    const link = str(file, `${at}[${i}].link`, entry.link);
    if (link !== undefined && !/^https?:\/\/\S+$/.test(link)) fail(file, `"${at}[${i}].link" of ${id} must be an http(s) URL`);
    return link === undefined ? { id, reason } : { id, reason, link };
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
  const side = str(file, 'side', raw.side);
  if (side !== undefined && !(SIDES as readonly string[]).includes(side)) fail(file, `"side": "${side}" must be ${SIDES.join(' or ')}`);
  config.side = side as Side | undefined;
  config.impl = str(file, 'impl', raw.impl);
  // a module path is relative to the file, like reportDir and baseline; built-in names stay as they are
  if (config.impl && (config.impl.startsWith('.') || /\.(m?js|ts)$/.test(config.impl))) config.impl = resolve(dirname(file), config.impl);
  if (raw.options !== undefined) {
    if (!isObject(raw.options)) fail(file, '"options" must be a mapping of strings');
    for (const [k, v] of Object.entries(raw.options)) {
      if (typeof v === 'object' && v !== null) fail(file, `"options.${k}" must be a string, number or boolean`);
      config.implOptions[k] = String(v);
    }
  }
  config.features = strings(file, 'features', raw.features);
  for (const f of config.features ?? []) {
    const known = config.side === 'grant-service' ? KNOWN_GRANT_FEATURES : KNOWN_FEATURES;
    if (!Object.hasOwn(known, f)) fail(file, `"features": "${f}" is not a known feature (${Object.keys(known).join(', ')})`);
  }
  config.tags = str(file, 'tags', raw.tags);
  const tagProblem = selectionProblem(suiteCatalogue(), { tags: config.tags });
  if (tagProblem?.kind === 'tags') fail(file, `"tags": "${config.tags}" is not a tag expression: ${tagProblem.detail}`);
  config.requirements = strings(file, 'requirements', raw.requirements);
  if (config.requirements) requirementIds(file, 'requirements', config.requirements);
  const reportDir = str(file, 'reportDir', raw.reportDir);
  config.reportDir = reportDir && resolve(dirname(file), reportDir);
  if (raw.timeouts !== undefined) {
    if (!isObject(raw.timeouts)) fail(file, '"timeouts" must be a mapping');
    checkKeys(file, 'timeouts.', raw.timeouts, TIMEOUT_KEYS);
    config.timeoutSeconds = num(file, 'timeouts.settleSeconds', raw.timeouts.settleSeconds, { min: 1 });
    config.quietMs = num(file, 'timeouts.quietPeriodMs', raw.timeouts.quietPeriodMs);
  }
  config.parallel = raw.parallel === 'auto' ? 'auto' : num(file, 'parallel', raw.parallel, { integer: true });
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
