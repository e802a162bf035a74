// accesstoken-conformance: run | list | serve | controller. Importing this module runs nothing: cli/bin.ts
// is the installed command, tests call main() directly or spawn bin.ts.
import { keyValues, parallelFlag, parse, positiveNumber, RUN_OPTIONS, sideFlag, USAGE } from './args.ts';
import { ConfigurationError } from '../adapters/load.ts';
import { CatalogueError, missingFeatures, type Requirement } from '../reports/catalogue.ts';
import { UsageError } from './errors.ts';
import { runSuite } from './run.ts';
import { suiteCatalogue } from './selection.ts';
import { formatSummary } from './summary.ts';
import { handleInterrupts, INTERRUPTED_EXIT_CODE, InterruptedError, interruption } from '../steps/support/interrupt.ts';

/**
 * Runs `work` (the suite) with Ctrl-C handled: the first SIGINT or SIGTERM ends the run early, with the
 * reports of what ran (exit 130), a second ends the process at once (interrupt.ts).
 */
async function whileListening<T>(work: () => Promise<T>): Promise<T> {
  interruption.reset();
  const stopListening = handleInterrupts({
    onFirst: () => process.stderr.write('\naccesstoken-conformance: interrupted: the scenario in progress ends, the rest are not run, the reports are written (Ctrl-C again to quit at once, without them)\n'),
    onSecond: () => process.stderr.write('\naccesstoken-conformance: interrupted again: quitting without reports\n'),
  });
  try {
    return await work();
  } finally {
    stopListening();
  }
}

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
  const { result, exitCode, files } = await whileListening(() => runSuite({
    side: sideFlag(values.side as string | undefined, config.side),
    impl: (values.impl as string | undefined) ?? config.impl ?? 'reference',
    implOptions,
    tags: (values.tags as string | undefined) ?? config.tags,
    requirements: (values.requirement as string[] | undefined) ?? config.requirements ?? [],
    reportDir: (values['report-dir'] as string | undefined) ?? config.reportDir ?? 'conformance-report',
    timeoutSeconds: positiveNumber(values.timeout as string | undefined, '--timeout', config.timeoutSeconds ?? 15, { min: 1 }),
    quietMs: values['quiet-period'] !== undefined ? positiveNumber(values['quiet-period'] as string, '--quiet-period', 0) : config.quietMs,
    parallel: parallelFlag(values.parallel as string | undefined, config.parallel ?? 'auto'),
    grantHost: (values['grant-host'] as string | undefined) ?? config.grantHost,
    listenHost: (values['listen-host'] as string | undefined) ?? config.listenHost,
    claimedFeatures: config.features,
    baseline: config.baseline,
    metadata: config.metadata,
    writeReports,
    progress: !values.quiet,
  }));
  console.log(formatSummary(result));
  console.log(`Reports: ${files.join(', ')}`);
  // interrupted: the shell's code for it, whatever the verdict of the part that ran
  return interruption.interrupted ? INTERRUPTED_EXIT_CODE : exitCode;
}

/**
 * The catalogue; with --impl, each rule of the implementation's side marked judged or unsupported by
 * what it claims (create() is called for its features, then close()).
 */
async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, side: { type: 'string' }, impl: { type: 'string' }, 'impl-option': { type: 'string', multiple: true } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const impl = values.impl as string | undefined;
  const side = values.side === undefined ? (impl ? 'redeemer' : undefined) : sideFlag(values.side as string);
  let claimed: string[] | undefined;
  if (impl) {
    const { loadForSide } = await import('../adapters/load.ts');
    const loaded = await loadForSide(side!, impl, keyValues(values['impl-option'] as string[] | undefined, '--impl-option'));
    claimed = loaded.features ?? [];
    if (loaded.close) {
      const { bounded, CALL_BOUNDS_MS } = await import('../steps/support/bounded.ts');
      await bounded('close()', CALL_BOUNDS_MS.close, () => loaded.close!()).catch(() => undefined);
    }
  }
  const catalogue = suiteCatalogue().filter((r) => side === undefined || r.side === side);
  const judged = (r: Requirement) => (claimed ? { judged: missingFeatures(r, claimed).length === 0, missing: missingFeatures(r, claimed) } : {});
  if (values.json) {
    console.log(JSON.stringify(catalogue.map((r) => ({ id: r.id, level: r.level, family: r.family, side: r.side, statement: r.statement, source: r.source, features: r.features, ...judged(r) })), null, 2));
    return 0;
  }
  for (const r of catalogue) {
    const mark = claimed ? `${missingFeatures(r, claimed).length === 0 ? 'judged' : 'unsupported'} `.padEnd(12) : '';
    console.log(`${mark}${r.id.padEnd(13)} ${r.level.padEnd(6)} ${r.side.padEnd(13)} ${r.family.padEnd(12)} ${r.statement}`);
    console.log(`${' '.repeat(48 + mark.length)}source: ${r.source}${r.features.length ? `; needs ${r.features.join(', ')}` : ''}`);
  }
  const must = catalogue.filter((r) => r.level === 'MUST').length;
  if (!claimed) console.log(`${catalogue.length} requirements, ${must} MUST`);
  else console.log(`${catalogue.length} requirements, ${must} MUST; ${impl} claims ${claimed.join(', ') || 'no feature'}: judged on ${catalogue.filter((r) => judged(r).judged).length}`);
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
      case 'serve': return await (await import('./serve.ts')).serve(rest);
      case 'controller': return await (await import('./controller.ts')).controllerCommand(rest);
      default: throw new UsageError(`unknown command "${first}" (run, list, serve, controller)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigurationError || e instanceof CatalogueError) {
      console.error(`accesstoken-conformance: ${e.message}`);
      return 2;
    }
    if (e instanceof InterruptedError) {
      // before any scenario could run (the preflight's create()): there is nothing to report
      console.error(`accesstoken-conformance: ${e.message}; no scenario ran`);
      return INTERRUPTED_EXIT_CODE;
    }
    throw e;
  }
}
