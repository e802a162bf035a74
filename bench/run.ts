// npm run bench: the suite's speed, as medians over repeated cold runs, next to a floor.
//  - wall time of a full run of each side against its reference (cold process, without @slow scenarios)
//  - scenarios per second
//  - per-scenario time inside the run, next to the floor: a plain script's fresh TLS 1.3 POSTs to the
//    same grant service; the difference is what the suite adds per scenario.
//  - then, when a cluster is at hand, the same through the Kubernetes adapter (bench/kubernetes.ts)
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

function scenarioDurations(messagesFile: string): number[] {
  const started = new Map<string, number>();
  const out: number[] = [];
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line);
    const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;
    if (m.testCaseStarted) started.set(m.testCaseStarted.id, ms(m.testCaseStarted.timestamp));
    if (m.testCaseFinished) out.push(ms(m.testCaseFinished.timestamp) - started.get(m.testCaseFinished.testCaseStartedId)!);
  }
  return out;
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

interface SideFigures {
  walls: number[];
  perScenario: number[];
  scenarios: number;
}

/** RUNS cold runs of one side against its reference, without @slow scenarios. */
function benchSide(side: 'redeemer' | 'grant-service'): SideFigures {
  const walls: number[] = [];
  const perScenario: number[] = [];
  let scenarios = 0;
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'atc-bench-'));
    const t = performance.now();
    const r = runCliSync(['run', '--side', side, '--tags', 'not @slow', '--quiet', '--report-dir', dir], { built: true });
    walls.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${side} run ${i + 1} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const durations = scenarioDurations(join(dir, 'messages.ndjson'));
    scenarios = durations.length;
    perScenario.push(median(durations));
    rmSync(dir, { recursive: true, force: true });
  }
  return { walls, perScenario, scenarios };
}

const figures = { redeemer: benchSide('redeemer'), 'grant-service': benchSide('grant-service') };
const floorMs = median(await floor(Math.max(figures.redeemer.scenarios, figures['grant-service'].scenarios)));

for (const [side, { walls, perScenario, scenarios }] of Object.entries(figures)) {
  const wall = median(walls);
  const scenarioMs = median(perScenario);
  console.log(`--side ${side}: full run against the reference, ${scenarios} scenarios (not @slow), ${RUNS} cold runs`);
  console.log(`  wall time           median ${(wall / 1000).toFixed(2)} s (runs: ${walls.map((w) => (w / 1000).toFixed(2)).join(', ')})`);
  console.log(`  scenarios/second    ${(scenarios / (wall / 1000)).toFixed(1)}`);
  console.log(`  per scenario        median ${scenarioMs.toFixed(2)} ms`);
  console.log(`  overhead over floor ${(scenarioMs - floorMs).toFixed(2)} ms per scenario (ratio ${(scenarioMs / floorMs).toFixed(2)}x)`);
}
console.log(`floor (a fresh TLS 1.3 POST from a plain script): median ${floorMs.toFixed(2)} ms`);

// Through the Kubernetes adapter, when there is a cluster to use (bench/kubernetes.ts).
const { benchKubernetes, kubernetesAvailable } = await import('./kubernetes.ts');
if (kubernetesAvailable()) {
  console.log('');
  await benchKubernetes();
} else {
  console.log('\nkubernetes adapter: skipped (no KUBECONFIG, and ../shared/tools/kube-apiserver has no built binary: run it with "build" once)');
}
