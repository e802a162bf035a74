#!/usr/bin/env node
// accesstoken-conformance: run | list | serve | controller
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError } from '../adapters/load.ts';
import { CatalogueError, loadCatalogue } from '../reports/catalogue.ts';
import { UsageError } from './errors.ts';
import { featuresDir, runSuite } from './run.ts';
import { formatSummary } from './summary.ts';

const USAGE = `usage: accesstoken-conformance [run] [--impl reference|kubernetes|command|broken/<name>|./module.js]
                                 [--impl-option key=value]... [--tags EXPR] [--requirement ID]...
                                 [--report-dir DIR] [--timeout SECONDS] [--parallel N] [--config FILE]
       accesstoken-conformance list [--json]
       accesstoken-conformance serve [--redemptions N] [--expiration DURATION] [--code CODE]
                                 [--endpoint host:port[/group]]... [--token-file FILE] [--port N] [--host HOST]
       accesstoken-conformance controller [--kubeconfig FILE] [--context NAME] [--namespace NS]`;

export type Flags = Record<string, string | string[] | boolean | undefined>;

export function parse(argv: string[], options: ParseArgsConfig['options']): { values: Flags } {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(String((e as Error).message).split('\n')[0].replace(/\. To specify.*$/, ''));
  }
}

function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${item}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function positiveNumber(value: string | undefined, flag: string, fallback: number, { integer = false, min = 0 } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} ${value}: expected ${integer ? 'a whole number' : 'a number'} of at least ${min}`);
  }
  return n;
}

export const RUN_OPTIONS = {
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
} as const;

async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, RUN_OPTIONS);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { loadRunConfig } = await import('./config.ts');
  const config = await loadRunConfig(values as Record<string, unknown>);
  const implOptions = { ...config.implOptions, ...keyValues(values['impl-option'] as string[] | undefined, '--impl-option') };
  for (const k of ['kubeconfig', 'context', 'namespace'] as const) if (values[k]) implOptions[k] = values[k] as string;
  if (values['grant-host']) implOptions.grantHost = values['grant-host'] as string;
  const { writeReports } = await import('../reports/write.ts');
  const { result, exitCode, files } = await runSuite({
    impl: (values.impl as string | undefined) ?? config.impl ?? 'reference',
    implOptions,
    tags: (values.tags as string | undefined) ?? config.tags,
    requirements: (values.requirement as string[] | undefined) ?? config.requirements ?? [],
    reportDir: (values['report-dir'] as string | undefined) ?? config.reportDir ?? 'conformance-report',
    timeoutSeconds: positiveNumber(values.timeout as string | undefined, '--timeout', config.timeoutSeconds ?? 15, { min: 1 }),
    quietMs: values['quiet-period'] !== undefined ? positiveNumber(values['quiet-period'] as string, '--quiet-period', 0) : config.quietMs,
    parallel: positiveNumber(values.parallel as string | undefined, '--parallel', config.parallel ?? 0, { integer: true }),
    grantHost: (values['grant-host'] as string | undefined) ?? config.grantHost,
    listenHost: (values['listen-host'] as string | undefined) ?? config.listenHost,
    claimedFeatures: config.features,
    baseline: config.baseline,
    metadata: config.metadata,
    writeReports,
    progress: !values.quiet,
  });
  console.log(formatSummary(result));
  console.log(`Reports: ${files.join(', ')}`);
  return exitCode;
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const catalogue = loadCatalogue(featuresDir);
  if (values.json) {
    console.log(JSON.stringify(catalogue.map(({ id, level, family, statement, source, features }) => ({ id, level, family, statement, source, features })), null, 2));
    return 0;
  }
  for (const r of catalogue) {
    console.log(`${r.id.padEnd(13)} ${r.level.padEnd(6)} ${r.family.padEnd(12)} ${r.statement}`);
    console.log(`${' '.repeat(34)}source: ${r.source}${r.features.length ? `; needs ${r.features.join(', ')}` : ''}`);
  }
  console.log(`${catalogue.length} requirements, ${catalogue.filter((r) => r.level === 'MUST').length} MUST`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === '--help' || first === '-h' || first === 'help') {
      console.log(USAGE);
      return 0;
    }
    if (first === undefined || first.startsWith('-')) return await run(argv);
    switch (first) {
      case 'run': return await run(rest);
      case 'list': return await list(rest);
      case 'serve': return await (await import('./serve.ts')).serve(rest, parse);
      case 'controller': return await (await import('./controller.ts')).controllerCommand(rest, parse);
      default: throw new UsageError(`unknown command "${first}" (run, list, serve, controller)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigurationError || e instanceof CatalogueError) {
      console.error(`accesstoken-conformance: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

const exitCode = await main(process.argv.slice(2));
// Leave cleanly: nothing of ours should still be running; the exit code is the gate's answer.
process.exitCode = exitCode;
