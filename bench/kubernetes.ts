// npm run bench, the Kubernetes part: the suite through --impl kubernetes against a real API server and
// the reference controller in a process of its own, as in the e2e (test/adapters/kubernetes/e2e.test.ts).
//  - the API server: $KUBECONFIG's cluster, or a private one started with ../shared/tools/kube-apiserver
//    (only when its binary is already built: the first build takes about 7 minutes)
//  - BENCH_KUBE_RUNS cold runs (default 3) of the catalogue without @slow and @empty-string scenarios
//  - the median time per scenario (testCaseStarted → testCaseFinished in messages.ndjson), how much of it
//    the Before hook takes (preparing the scenario's namespace and Site), and the median wall time
// Everything it starts (API server, controller, runs) is stopped before it returns.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, ensureCrdsInstalled, installCrds } from '../adapters/kubernetes/client.ts';
import { kubeApiServer, kubeApiServerTool } from '../harness/kube-apiserver.ts';
import { ensureFreshBuild } from '../harness/cli.ts';
import { median, privateKubeconfig, readScenarios, runSuite, startController } from '../harness/processes.ts';


/** The selection: what the reference figures run (not @slow), less what the local API server refuses. */
export const BENCH_KUBE_TAGS = 'not @slow and not @empty-string';

/** True when there is a cluster to use: $KUBECONFIG, or the kube-apiserver tool with its binary built. */
export function kubernetesAvailable(): boolean {
  if (process.env.KUBECONFIG) return true;
  const cache = process.env.KUBE_APISERVER_CACHE ?? join(homedir(), '.cache', 'kube-apiserver-1.20');
  return existsSync(kubeApiServerTool()) && existsSync(join(cache, 'kube-apiserver'));
}

export interface KubernetesBench {
  scenarios: number;
  runs: number;
  perScenarioMs: number;
  hooksMs: number;
  wallMs: number[];
}

export async function benchKubernetes({ runs = Number(process.env.BENCH_KUBE_RUNS ?? 3), quietPeriodMs = process.env.BENCH_KUBE_QUIET_PERIOD } = {}): Promise<KubernetesBench> {
  ensureFreshBuild();
  const server = await kubeApiServer();
  if (!server) throw new Error('no Kubernetes API server (set KUBECONFIG, or build ../shared/tools/kube-apiserver once)');
  const kubeconfig = privateKubeconfig(server.kubeconfig, 'atc-bench-kube');
  let controller: Awaited<ReturnType<typeof startController>> | undefined;
  try {
    const clients = connect({ kubeconfig: kubeconfig.path });
    try {
      await ensureCrdsInstalled(clients).catch(() => installCrds(clients));
    } finally {
      clients.close();
    }
    controller = await startController(kubeconfig.path, { resyncSeconds: 30, built: true });

    const walls: number[] = [];
    const perScenario: number[] = [];
    const hooks: number[] = [];
    let scenarios = 0;
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'atc-bench-kube-'));
      try {
        const args = ['--impl', 'kubernetes', '--kubeconfig', kubeconfig.path, '--tags', BENCH_KUBE_TAGS, '--quiet', '--report-dir', dir];
        if (quietPeriodMs !== undefined) args.push('--quiet-period', String(quietPeriodMs));
        const r = await runSuite(args, { built: true, timeoutMs: 300_000 }).done;
        if (r.code !== 0) throw new Error(`kubernetes run ${i + 1} exited ${r.code ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
        walls.push(r.wallMs);
        const recorded = readScenarios(join(dir, 'messages.ndjson'));
        scenarios = recorded.length;
        perScenario.push(median(recorded.map((s) => s.durationMs)));
        hooks.push(median(recorded.map((s) => s.hooksMs)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const result = { scenarios, runs, perScenarioMs: median(perScenario), hooksMs: median(hooks), wallMs: walls };
    const quiet = quietPeriodMs !== undefined ? `--quiet-period ${quietPeriodMs}` : 'default quiet period (250 ms)';
    console.log(`kubernetes adapter against ${server.started ? 'a local kube-apiserver (started for the bench)' : `$KUBECONFIG's cluster`}, reference controller in its own process`);
    console.log(`  ${scenarios} scenarios (${BENCH_KUBE_TAGS}), ${runs} cold runs, ${quiet}`);
    console.log(`  wall time           median ${(median(walls) / 1000).toFixed(2)} s (runs: ${walls.map((w) => (w / 1000).toFixed(2)).join(', ')})`);
    console.log(`  effective           median ${(median(walls) / scenarios).toFixed(1)} ms per scenario (wall time / scenarios, --parallel auto: see cli/run.ts autoWorkers; aim: 100 ms or less)`);
    console.log(`  per scenario        median ${result.perScenarioMs.toFixed(1)} ms, inside one worker`);
    console.log(`    of which the Before hook (namespace, Site, watches; the last scenario's clean-up)  median ${result.hooksMs.toFixed(1)} ms`);
    return result;
  } finally {
    await controller?.stop('SIGTERM');
    kubeconfig.remove();
    await server.stop();
  }
}
