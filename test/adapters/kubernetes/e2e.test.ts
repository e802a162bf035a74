// The end-to-end of --impl kubernetes, as CI runs it: a real API server (harness/kube-apiserver.ts),
// the project's CRDs, the reference controller as a process of its own, and the whole catalogue run
// through the Kubernetes adapter by the command line. Every rule the adapter claims must pass.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { featuresDir } from '../../../cli/run.ts';
import { loadCatalogue } from '../../../reports/catalogue.ts';
import { privateKubeconfig, processesWith, readReport, readScenarios, runSuite, startController, type ControllerProcess } from '../../../harness/processes.ts';
import { clients, ensureCrds, server, skip } from '../../support/kubernetes.ts';
import { ensureFreshBuild } from '../../../harness/cli.ts';

/**
 * The e2e mode's selection: the whole catalogue, @slow scenarios included, less these exclusions.
 *
 * - `@empty-string`: scenarios that put an empty string in a field the AccessToken CRD types as string
 *   (`spec.ca: ""`, `spec.url: ""`, …). The local API server (Debian's Kubernetes 1.20, built with newer
 *   json-iterator/reflect2 copies by ../shared/tools/kube-apiserver) reads such a "" as null and refuses
 *   the object (`spec.ca: Invalid value: "null": spec.ca in body must be of type string: "null"`), so
 *   the token never reaches the controller. A regular cluster stores "" and the controller answers
 *   (`token does not have a CA`); the exclusion is about this API server, not about the controller.
 */
export const E2E_TAGS = 'not @empty-string';

/**
 * Rules the Kubernetes adapter cannot show, reported unsupported with the reason rather than passed:
 * AT-HOSTILE-002 looks for resources of other kinds (a ClusterRoleBinding, a Pod…) in observe().others,
 * which this adapter does not list.
 */
export const UNJUDGED = ['AT-HOSTILE-002'];

describe('end to end: the reference controller in its own process, the whole catalogue through --impl kubernetes', { skip }, () => {
  let reportDir: string;
  let kubeconfig: { path: string; remove(): void };
  let controller: ControllerProcess | undefined;

  before(async () => {
    reportDir = mkdtempSync(join(tmpdir(), 'actest-e2e-report-'));
    const c = clients();
    try {
      await ensureCrds(c);
    } finally {
      c.close();
    }
    // a copy of the kubeconfig at a path of this test's own: `ps` then finds this test's processes only
    kubeconfig = privateKubeconfig(server!.kubeconfig, 'actest-e2e');
    controller = await startController(kubeconfig.path, { resyncSeconds: 30 });
  });

  after(async () => {
    await controller?.stop('SIGKILL');
    kubeconfig?.remove();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
    await server?.stop();
  });

  /** Runs the suite through the adapter and checks that every claimed rule passed, with no warning. */
  async function everyClaimedRulePasses(t: TestContext, tags: string, dir: string, { built = false } = {}) {
    const run = runSuite(['--impl', 'kubernetes', '--kubeconfig', kubeconfig.path, '--tags', tags, '--quiet', '--report-dir', dir], {
      timeoutMs: 480_000,
      built,
      // coverage is the sources' (the serial run's); the built run's bundle has no map back to them
      env: built ? { NODE_V8_COVERAGE: undefined } : undefined,
    });
    const result = await run.done;
    const messages = join(dir, 'messages.ndjson');
    assert.ok(existsSync(messages), `the run wrote no messages.ndjson (exit ${result.code ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    const scenarios = readScenarios(messages);
    const unjudged = (s: (typeof scenarios)[number]) => s.status === 'skipped' && s.tags.some((t) => UNJUDGED.includes(t.slice(1)));
    const failed = scenarios.filter((s) => s.status !== 'passed' && !unjudged(s));
    t.diagnostic(`${scenarios.length} scenarios in ${(result.wallMs / 1000).toFixed(1)} s`);
    assert.equal(result.timedOut, false, 'the run did not end within 480 s');
    assert.deepEqual(
      failed.map((s) => `${s.name}: ${s.status} ${s.message ?? ''}`),
      [],
      `scenarios that did not pass:\n${result.stdout}\n${result.stderr}\ncontroller log (end):\n${controller!.log().slice(-4000)}`,
    );
    assert.equal(result.code, 0, `exit ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);

    const report = readReport(dir);
    assert.equal(report.implementation.name, 'kubernetes');
    assert.equal(report.selection.tags, tags);
    assert.deepEqual(report.failedRequirements, [], 'failed requirements');
    assert.deepEqual(report.warningRequirements, [], 'warning requirements (failed SHOULD rules)');
    // a requirement is unsupported only when it needs a feature the adapter does not claim
    const claimed = new Set(report.implementation.features);
    const catalogue = new Map(loadCatalogue(featuresDir).map((r) => [r.id, r]));
    const claimedButUnsupported = report.unsupportedRequirements.filter((id) => !UNJUDGED.includes(id) && catalogue.get(id)!.features.every((f) => claimed.has(f)));
    assert.deepEqual(claimedButUnsupported, [], 'unsupported requirements whose features the adapter claims');
    assert.ok(!scenarios.some((s) => s.tags.includes('@empty-string')), 'no @empty-string scenario ran');
    t.diagnostic(`verdict ${report.result.verdict}; MUST ${report.result.must.summary}; workers ${String(report.options.parallel)}; not run: ${report.skippedRequirements.join(', ') || 'none'}`);
    return { scenarios, report };
  }

  test(`every claimed rule passes (--tags '${E2E_TAGS}'), serially: a client timeout would hold the shared controller`, { timeout: 600_000 }, async (t) => {
    const { scenarios, report } = await everyClaimedRulePasses(t, E2E_TAGS, reportDir);
    assert.ok(scenarios.some((s) => s.tags.includes('@slow')), 'the @slow scenarios ran');
    assert.equal(report.options.parallel, 0, '--parallel auto ran it serially');
  });

  test(`every claimed rule passes without @slow, in parallel workers (--parallel auto), run as built (dist/, client-node bundled)`, { timeout: 300_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'actest-e2e-parallel-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    ensureFreshBuild();
    const { report } = await everyClaimedRulePasses(t, `not @slow and ${E2E_TAGS}`, dir, { built: true });
    assert.ok(Number(report.options.parallel) >= 2, `--parallel auto gave ${String(report.options.parallel)} workers`);
  });

  test('the controller stops on SIGTERM, and nothing of it or of the run is left running', { timeout: 60_000 }, async () => {
    const exit = await controller!.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, `the controller's log:\n${controller!.log().slice(-2000)}`);
    assert.match(controller!.log(), /controller: stopped/);
    controller = undefined;
    assert.deepEqual(processesWith(kubeconfig.path), [], 'processes still running with this test\'s kubeconfig');
  });
});
