// npm run bench: the suite's speed, as medians over repeated cold runs (BENCH_RUNS, default 5), next to
// two floors: a bare node process start, and a plain script's fresh TLS 1.3 POST to the same grant service.
//  - each side against its reference, serially, without @slow scenarios: wall time, and where it goes:
//    start-up (process start to the first scenario), per scenario, reports (the last scenario to the exit)
//  - what mostly waits, with --parallel auto: the whole catalogue against the reference (@slow included),
//    and against a module implementation in its own process with the default quiet period
//  - then, when a cluster is at hand, the Kubernetes adapter (bench/kubernetes.ts)
import { execFileSync } from 'node:child_process';
import { runCliSync } from '../harness/cli.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { postCode } from '../simulator/redeemer/client.ts';
import { GrantService } from '../simulator/grant-service/service.ts';

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface RunTimeline {
  /** each scenario, testCaseStarted to testCaseFinished */
  durations: number[];
  /** epoch ms: the first scenario's start, the last one's end, the run's end (testRunFinished) */
  firstStarted: number;
  lastFinished: number;
  runFinished: number;
}

function timeline(messagesFile: string): RunTimeline {
  const started = new Map<string, number>();
  const durations: number[] = [];
  let firstStarted = Infinity;
  let lastFinished = 0;
  let runFinished = 0;
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line);
    const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;
    if (m.testCaseStarted) {
      const t = ms(m.testCaseStarted.timestamp);
      started.set(m.testCaseStarted.id, t);
      firstStarted = Math.min(firstStarted, t);
    }
    if (m.testCaseFinished) {
      const t = ms(m.testCaseFinished.timestamp);
      durations.push(t - started.get(m.testCaseFinished.testCaseStartedId)!);
      lastFinished = Math.max(lastFinished, t);
    }
    if (m.testRunFinished) runFinished = ms(m.testRunFinished.timestamp);
  }
  return { durations, firstStarted, lastFinished, runFinished };
}

async function floor(count: number): Promise<number[]> {
  const service = await GrantService.start();
  const grant = service.createGrant({ redemptionsAllowed: count });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const r = await postCode({ url: new URL(grant.url), code: grant.code, ca: service.pki.ca.certPem, headers: { name: `floor-${i}`, subject: 'bench' } });
    if (r.status !== 200) throw new Error(`floor POST answered ${r.status}`);
    times.push(performance.now() - t);
  }
  await service.stop();
  return times;
}

// always build: figures from a stale dist/ would measure old code
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

interface RunFigures {
  label: string;
  scenarios: number;
  workers: number;
  walls: number[];
  /** process start to the first scenario's start: loading, the preflight, keys, workers */
  startups: number[];
  /** the median scenario of each run */
  perScenario: number[];
  /** the last scenario's end to the process's exit: AfterAll, the reports */
  reports: number[];
}

/** RUNS cold runs of the CLI with `args`, each timed from the outside and read from its messages. */
function benchRun(label: string, args: string[], runs = RUNS): RunFigures {
  const f: RunFigures = { label, scenarios: 0, workers: 0, walls: [], startups: [], perScenario: [], reports: [] };
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'atc-bench-'));
    try {
      const spawnedAt = Date.now();
      const t = performance.now();
      const r = runCliSync(['run', ...args, '--quiet', '--report-dir', dir], { built: true });
      f.walls.push(performance.now() - t);
      const exitedAt = spawnedAt + f.walls.at(-1)!;
      if (r.status !== 0) throw new Error(`${label}: run ${i + 1} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      const tl = timeline(join(dir, 'messages.ndjson'));
      f.scenarios = tl.durations.length;
      f.startups.push(tl.firstStarted - spawnedAt);
      f.perScenario.push(median(tl.durations));
      f.reports.push(exitedAt - tl.lastFinished);
      f.workers = Number(/parallel: (\d+)/.exec(readFileSync(join(dir, 'report.yaml'), 'utf8'))?.[1] ?? 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return f;
}

/** Starting a bare node process: the floor under any run's start-up. */
function processStartFloor(runs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - t);
  }
  return median(times);
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const runsOf = (values: number[]) => values.map((v) => (v / 1000).toFixed(2)).join(', ');

function report(f: RunFigures, floors: { processMs: number; postMs: number }, aims: { wallS?: number; startupS?: number; perScenarioMs?: number } = {}): void {
  const aim = (v: number | undefined, unit: string) => (v === undefined ? '' : ` (aim: ${v} ${unit} or less)`);
  const wall = median(f.walls);
  console.log(`${f.label}: ${f.scenarios} scenarios, ${f.workers === 0 ? 'serial' : `${f.workers} workers`}, ${f.walls.length} cold runs`);
  console.log(`  wall time      median ${s1(wall)}${aim(aims.wallS, 's')} (runs: ${runsOf(f.walls)}); ${(f.scenarios / (wall / 1000)).toFixed(1)} scenarios/s; effective ${(wall / f.scenarios).toFixed(1)} ms per scenario`);
  console.log(`  start-up       median ${s1(median(f.startups))}${aim(aims.startupS, 's')}: process start to the first scenario (${(median(f.startups) / floors.processMs).toFixed(1)}x a bare node start)`);
  console.log(`  per scenario   median ${median(f.perScenario).toFixed(2)} ms${aim(aims.perScenarioMs, 'ms')}: ${(median(f.perScenario) / floors.postMs).toFixed(2)}x a fresh TLS 1.3 POST, ${(median(f.perScenario) - floors.postMs).toFixed(2)} ms over it`);
  console.log(`  reports        median ${s1(median(f.reports))}: the last scenario's end to the exit (close, every report written)`);
}

const notSlow = ['--tags', 'not @slow', '--parallel', '0'];
const runs = {
  redeemer: benchRun('--side redeemer, the reference, not @slow', notSlow),
  grants: benchRun('--side grant-service, the reference, not @slow', ['--side', 'grant-service', ...notSlow]),
};
const floors = {
  processMs: processStartFloor(),
  postMs: median(await floor(Math.max(runs.redeemer.scenarios, runs.grants.scenarios))),
};
console.log(`floors: a bare node process start (node -e 0) median ${floors.processMs.toFixed(1)} ms; a fresh TLS 1.3 POST from a plain script median ${floors.postMs.toFixed(2)} ms`);
report(runs.redeemer, floors, { wallS: 2.0, startupS: 1.0, perScenarioMs: 10 });
report(runs.grants, floors);
// what mostly waits, where --parallel auto overlaps the waits
report(benchRun('--side redeemer, the reference, the whole catalogue (@slow included), --parallel auto', []), floors, { wallS: 11.5 });
report(
  benchRun('--side redeemer, examples/minimal-implementation.mjs (its own process, default quiet period 250 ms), the whole catalogue, --parallel auto', ['--impl', join(root, 'examples', 'minimal-implementation.mjs')]),
  floors,
  { wallS: 12 },
);

// Through the Kubernetes adapter, when there is a cluster to use (bench/kubernetes.ts).
const { benchKubernetes, kubernetesAvailable } = await import('./kubernetes.ts');
if (kubernetesAvailable()) {
  console.log('');
  await benchKubernetes();
} else {
  console.log('\nkubernetes adapter: skipped (no KUBECONFIG, and ../shared/tools/kube-apiserver has no built binary: run it with "build" once)');
}
