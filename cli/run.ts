// `run`: the suite against one implementation, through cucumber's API, then the verdict.
import { loadConfiguration, loadSupport, runCucumber, type ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigurationError, loadForSide } from '../adapters/load.ts';
import type { Side } from '../adapters/contract.ts';
import { codeRoot, moduleExt, suiteVersion } from '../model/package.ts';
import { firstLine } from '../model/text.ts';
import { MessageCollector } from '../reports/messages.ts';
import { summarise } from '../reports/rollup.ts';
import { SIDE_LABELS, type BaselineEntry, type ImplementationInfo, type RunResult } from '../reports/results.ts';
import type { SuiteParameters } from '../steps/support/parameters.ts';
import { bounded, CALL_BOUNDS_MS, CallTimeoutError } from '../steps/support/bounded.ts';
import { UsageError } from './errors.ts';
import { Progress } from './progress.ts';
import { WorkerGate } from './worker-gate.ts';
import { featuresDir, plannedScenarios, selectionProblem, sideExpression, suiteCatalogue, tagExpression } from './selection.ts';
import { getRunPki, pkiKeys, runHosts } from '../simulator/pki.ts';
import { startKeys } from '../simulator/keys.ts';
import { ForeignGrantService, ForeignServiceHost } from '../simulator/grant-service/foreign-service.ts';
import { slowFirst, type WaitPlan } from '../steps/support/slow-first.ts';

const stepsGlob = join(codeRoot, 'steps', '**', `*${moduleExt}`);
export { featuresDir };

export interface RunOptions {
  /** Which side is under test (default: the redeemer). */
  side?: Side;
  impl: string;
  implOptions: Record<string, string>;
  tags?: string;
  requirements: string[];
  reportDir: string;
  /** seconds to wait for a token to settle */
  timeoutSeconds: number;
  quietMs?: number;
  /** Worker processes: 0 runs serially in this process; 'auto' chooses from the plan (autoWorkers). */
  parallel: number | 'auto';
  grantHost?: string;
  listenHost?: string;
  claimedFeatures?: string[];
  baseline?: BaselineEntry[];
  metadata?: Partial<ImplementationInfo>;
  /** Extra report writers (HTML, YAML, badge), called with the result. */
  writeReports?: (result: RunResult, reportDir: string) => Promise<string[]>;
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Print the run's progress (cli/progress.ts: a line rewritten in place on a terminal, one character per
   * scenario elsewhere). Failures are not printed here: the summary shows them, the reports hold the detail.
   */
  progress?: boolean;
  /**
   * Step definitions and hooks already loaded (the `support` a previous runSuite returned, or
   * cucumber's loadSupport). Several runs in one process need it: ES modules are imported only once, so
   * a second run that imported the steps again would find no step definitions.
   */
  support?: ISupportCodeLibrary;
}

export async function runSuite(
  options: RunOptions,
): Promise<{ result: RunResult; exitCode: number; files: string[]; support: ISupportCodeLibrary }> {
  const stdout = options.stdout ?? process.stdout;
  const catalogue = suiteCatalogue();
  const problem = selectionProblem(catalogue, { tags: options.tags, requirements: options.requirements });
  if (problem?.kind === 'tags') throw new UsageError(`--tags ${problem.tags}: ${problem.detail}`);
  if (problem?.kind === 'unknown-ids') throw new UsageError(`--requirement ${problem.ids.join(', ')}: not in the catalogue (see "accesstoken-conformance list")`);
  for (const b of options.baseline ?? []) {
    if (!catalogue.some((r) => r.id === b.id)) throw new UsageError(`baseline: ${b.id} is not a requirement in the catalogue`);
  }

  // The run's keys take the longest to make: start now, on libuv's thread pool, while cucumber loads. A
  // serial run uses them in this process; a parallel run hands them to its workers.
  const runPki = getRunPki(runHosts(options.grantHost));
  runPki.catch(() => undefined);

  const side = options.side ?? 'redeemer';
  // A selection that matches nothing is a mistake, not a pass.
  const expression = sideExpression(side, tagExpression(options.tags, options.requirements));
  const plan = plannedScenarios(expression);
  if (plan.scenarios === 0) throw new UsageError(`no scenario matches ${expression}`);
  // The redirect scenarios' other grant service: mockttp's, in a thread of this process (a parallel run's
  // workers reach it here), when one is planned.
  const needsOtherGrantService = side === 'redeemer' && plan.otherGrantServices > 0;

  const reportDir = resolve(options.reportDir);
  const files = {
    html: join(reportDir, 'cucumber.html'),
    junit: join(reportDir, 'junit.xml'),
    messages: join(reportDir, 'messages.ndjson'),
  };
  const { runConfiguration } = await loadConfiguration({
    file: false,
    provided: {
      paths: [featuresDir],
      import: [stepsGlob],
      tags: expression,
      format: [
        `html:${files.html}`,
        `junit:${files.junit}`,
        `message:${files.messages}`,
      ],
      strict: true,
    },
  });
  // The step definitions load while the preflight runs: a preflight mostly waits (for a module's own
  // process, a cluster, a program), the loading is this thread's CPU (~0.15 s), which cucumber would
  // otherwise spend after it, before it forks the first worker.
  const supportLoading = options.support
    ? Promise.resolve(options.support)
    : loadSupport({ sources: runConfiguration.sources, support: runConfiguration.support }, { cwd: process.cwd(), stderr: options.stderr ?? process.stderr });
  supportLoading.catch(() => undefined); // awaited when the run starts; a preflight that fails first ends the run

  // A preflight: a bad --impl is a configuration error (exit 2), found before cucumber starts, and the
  // implementation's metadata is known for the report even if no scenario runs.
  // bounded like every call into the implementation: a create() or close() that never returns must not hold the run
  const preflight = await bounded('create()', CALL_BOUNDS_MS.create, () => loadForSide(side, options.impl, options.implOptions)).catch((e: unknown) => {
    throw e instanceof CallTimeoutError ? new ConfigurationError(`--impl ${options.impl}: ${e.message}`) : e;
  });
  const info: ImplementationInfo = {
    name: preflight.name,
    version: preflight.version,
    features: [...new Set([...(preflight.features ?? []), ...(options.claimedFeatures ?? [])])],
    ...options.metadata,
  };
  if (preflight.close) {
    await bounded('close()', CALL_BOUNDS_MS.close, () => preflight.close!(), { evenIfStopped: true }).catch((e: unknown) => {
      if (e instanceof CallTimeoutError) (options.stderr ?? process.stderr).write(`accesstoken-conformance: the implementation's ${e.message} (after the preflight); the run goes on\n`);
    });
  }

  mkdirSync(reportDir, { recursive: true });
  const parameters: SuiteParameters = {
    side,
    impl: options.impl,
    implOptions: options.implOptions,
    implementation: { name: preflight.name, version: preflight.version, features: info.features },
    settleTimeoutMs: options.timeoutSeconds * 1000,
    quietMs: options.quietMs ?? (options.impl === 'reference' ? 0 : 250),
    grantHost: options.grantHost,
    listenHost: options.listenHost,
    otherGrantService: needsOtherGrantService,
  };
  // the JUnit suite is named after the implementation, known since the preflight
  runConfiguration.formats.options = { ...runConfiguration.formats.options, junit: { suiteName: `accesstoken-conformance ${info.name} (${SIDE_LABELS[side]})` } };
  const planned = plan.scenarios;
  // a parallel run hands out its @slow scenarios first, the longest waits first (steps/support/slow-first.ts)
  slowFirst.plan(plan);
  const workers = options.parallel === 'auto' ? autoWorkers({ ...plan, quietMs: parameters.quietMs, impl: options.impl }) : options.parallel;
  // The redeemer side's CA-mismatch scenarios (ca-trust.feature) need the unrelated CA's key (simulator/
  // pki.ts makes it when first asked); the grant side never reads it. A serial run prepares it in its
  // BeforeAll hook from a key OpenSSL starts now. A parallel run's workers make their own while @slow
  // waits run first; with none planned, every worker's first scenario would be one of ca-trust's and each
  // would make the same key at once, so the coordinator makes it for them (a kubernetes run without @slow,
  // --parallel 4: 11.38 -> 10.92 s, 3 runs each; with @slow planned, making it here cost ~0.15 s).
  const makesUnrelated = side === 'redeemer' && (workers === 0 || plan.slow === 0);
  if (makesUnrelated) startKeys(1);
  let foreignHost: ForeignServiceHost | undefined;
  if (workers > 0) {
    const pki = await runPki;
    if (makesUnrelated) await pki.prepareUnrelated();
    parameters.pki = pkiKeys(pki, { unrelated: makesUnrelated });
    if (needsOtherGrantService) {
      foreignHost = await ForeignServiceHost.open(pki);
      parameters.foreignHost = foreignHost.address;
    }
  } else if (needsOtherGrantService) {
    // mockttp's load (~0.5 s of CPU) starts now, so that it is ready when the redirect scenarios come; its
    // thread takes a lower priority (foreign-service.ts), so it uses mostly what the start leaves idle
    ForeignGrantService.warm();
  }
  runConfiguration.runtime.parallel = workers;
  runConfiguration.runtime.worldParameters = JSON.parse(JSON.stringify(parameters));
  // the workers that take the client timeouts start first; the others wait at the gate until those began
  const gate = plan.clientTimeouts > 0 && workers > plan.clientTimeouts ? await WorkerGate.hold(plan.clientTimeouts) : undefined;
  const collector = new MessageCollector();
  const progress = options.progress === false ? undefined : new Progress(stdout, planned);
  const startedAt = new Date().toISOString();
  let support: ISupportCodeLibrary;
  try {
    // cucumber's console stays silent (its progress dots and raw failure dump: the reports keep the detail);
    // it falls back to its progress formatter when nothing writes to stdout, so it gets a sink
    const cucumberOut = new Writable({ write: (_c, _e, done) => done() });
    ({ support } = await runCucumber(
      { ...runConfiguration, support: await supportLoading },
      { cwd: process.cwd(), stdout: cucumberOut, stderr: options.stderr ?? process.stderr, env: gate ? { ...process.env, ...gate.env } : process.env },
      (envelope) => {
        gate?.onMessage(envelope);
        collector.onMessage(envelope);
        // mockttp's load (~0.5 s of CPU) waits until the client-timeout scenarios have begun (the gate
        // opened; without a gate, the first scenario): earlier, it would take CPU from the workers still
        // starting and delay those scenarios, whose start decides when the run can end
        if (envelope.testCaseStarted && (!gate || gate.isOpen)) foreignHost?.warm();
        progress?.onMessage(envelope);
      },
    ));
  } catch (e) {
    throw new UsageError(`the suite could not run: ${firstLine(e)}`);
  } finally {
    gate?.close();
    progress?.finish();
    await foreignHost?.close();
  }
  const scenarios = collector.scenarios();
  // the verdict speaks for the side judged: the other side's rules are not part of it
  const summary = summarise(catalogue.filter((r) => r.side === side), scenarios, options.baseline);
  const result: RunResult = {
    suite: { name: 'accesstoken-conformance', version: suiteVersion() },
    implementation: info,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: {
      side,
      impl: options.impl,
      tags: options.tags ?? null,
      requirements: options.requirements,
      timeoutSeconds: options.timeoutSeconds,
      parallel: workers,
      implOptions: Object.keys(options.implOptions),
    },
    scenarios,
    ...summary,
  };
  const written = [files.html, files.junit, files.messages];
  if (options.writeReports) written.push(...(await options.writeReports(result, reportDir)));
  const exitCode = result.verdict === 'Not conformant' ? 1 : 0;
  return { result, exitCode, files: written, support };
}

/** The most worker processes 'auto' starts: each costs ~0.3 s of CPU to start and ~100 MB. */
export const MAX_AUTO_WORKERS = 8;

/**
 * What 'auto' expects a scenario to take, in seconds, from what the plan knows of it: its tags, the quiet
 * period, where the implementation runs. Estimates to share out the waiting, not bounds.
 */
export const EXPECTED_SECONDS = {
  /** @client-timeout: a redeemer's client timeout, waited out (Skupper's is 10 s, spec §3.1) */
  clientTimeout: 10,
  /** the other @slow scenarios: a 2 s expiry window, an answer held 2.5 s, a second of timestamp precision */
  slow: 2.5,
  /** any scenario's own work, besides the quiet period: the reference's in this process, ~10 ms (2x for
   * margin); a module's in a process of its own, ~80 ms (the example's measured median) */
  work: { inProcess: 0.02, elsewhere: 0.08 },
  /** the least waiting worth a worker of its own: starting one costs ~0.3 s of CPU on a 2-core machine */
  worker: 4,
} as const;

/** Workers per core 'auto' gives a kubernetes run (rounded down): more only add CPU (see autoWorkers). */
export const KUBERNETES_WORKERS_PER_CORE = 2.5;

/** The most workers 'auto' gives a kubernetes run on `cores` cores. */
export function kubernetesWorkerCap(cores: number): number {
  return Math.min(MAX_AUTO_WORKERS, Math.floor(KUBERNETES_WORKERS_PER_CORE * cores));
}

/**
 * How many worker processes a run gets. `auto` runs serially what is mostly CPU (the reference's
 * scenarios take ~10 ms each: a worker would cost more to start than it saves) and in parallel what mostly
 * waits: as few workers as let every expected wait overlap the longest one, so that the run takes about as
 * long as its longest wait (the waits, longest first, each into the first worker it fits; the rest of the
 * plan into what is left), and no more: each worker's start costs CPU the others wait for.
 */
export function autoWorkers(plan: { scenarios: number; quietMs: number; impl?: string; cores?: number } & WaitPlan): number {
  // One cluster controller serves every worker of a kubernetes run. A @client-timeout scenario's POST
  // holds that controller for the 10 s client timeout: one that reconciles a token at a time (a legitimate
  // design) would stall every other worker's scenarios meanwhile, so a run with one is serial. Without,
  // the workers share the cores with the API server and the controller. On 2 cores the catalogue without
  // @slow took about 12 s with 3, 4, 5 or 6 workers alike while each worker's start loaded client-node's
  // ~970 modules; with the package bundled (scripts/bundle-client-node.mjs) a worker starts for less, and
  // 5 workers beat 4 in each of 4 alternating pairs (median 8.9 against 9.2 s), 6 no better than 5. It
  // gave no false warning once a status the step refuses got REACTION_QUIET_PERIODS to change (before, 8
  // workers judged a slow reaction's old status: AT-COND-004/006 warned in 2 of 3 runs).
  if (plan.impl === 'kubernetes' && plan.clientTimeouts > 0) return 0;
  const cap = plan.impl === 'kubernetes' ? kubernetesWorkerCap(plan.cores ?? availableParallelism()) : MAX_AUTO_WORKERS;
  const each = plan.quietMs / 1000 + (plan.impl === 'reference' ? EXPECTED_SECONDS.work.inProcess : EXPECTED_SECONDS.work.elsewhere);
  const waits = [
    ...Array<number>(plan.clientTimeouts).fill(EXPECTED_SECONDS.clientTimeout + each),
    ...Array<number>(plan.slow - plan.clientTimeouts).fill(EXPECTED_SECONDS.slow + each),
  ];
  const span = Math.max(EXPECTED_SECONDS.worker, ...waits);
  const loads: number[] = [];
  for (const wait of waits) {
    const fits = loads.findIndex((load) => load + wait <= span);
    if (fits === -1) loads.push(wait);
    else loads[fits] += wait;
  }
  const spare = loads.reduce((sum, load) => sum + (span - load), 0);
  const rest = (plan.scenarios - plan.slow) * each;
  const workers = loads.length + Math.ceil(Math.max(0, rest - spare) / span);
  return workers <= 1 ? 0 : Math.min(cap, workers);
}
