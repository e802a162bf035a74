// The end-to-end of `--side grant-service --impl kubernetes`, as CI runs it: a real API server
// (harness/kube-apiserver.ts), the project's CRDs, the reference controller as a process of its own
// (serving the AccessGrants of every namespace at an HTTPS port of its own), and every grant-service rule
// run through the Kubernetes grant adapter by the command line. Every rule the adapter claims must pass.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { featuresDir } from '../../../cli/run.ts';
import { loadCatalogue } from '../../../reports/catalogue.ts';
import { privateKubeconfig, processesWith, readReport, readScenarios, runSuite, startController, type ControllerProcess } from '../../../harness/processes.ts';
import { clients, ensureCrds, server, skip } from '../../support/kubernetes.ts';

/**
 * As the redeemer side's e2e (e2e.test.ts, not imported: importing a test file runs its tests): the local
 * API server reads "" in a schema-typed field as null and refuses the object (here an AccessGrant whose
 * spec.code is empty), so scenarios that apply one are left out.
 */
const E2E_TAGS = 'not @empty-string';

describe('end to end: the reference controller serving grants, every grant-service rule through --side grant-service --impl kubernetes', { skip }, () => {
  let reportDir: string;
  let kubeconfig: { path: string; remove(): void };
  let controller: ControllerProcess | undefined;

  before(async () => {
    reportDir = mkdtempSync(join(tmpdir(), 'actest-grant-e2e-report-'));
    const c = clients();
    try {
      await ensureCrds(c);
    } finally {
      c.close();
    }
    // a copy of the kubeconfig at a path of this test's own: `ps` then finds this test's processes only
    kubeconfig = privateKubeconfig(server!.kubeconfig, 'actest-grant-e2e');
    controller = await startController(kubeconfig.path, { resyncSeconds: 30 });
    assert.match(controller.log(), /controller: serving accessgrants at https:\/\/127\.0\.0\.1:\d+ in all namespaces/);
  });

  after(async () => {
    await controller?.stop('SIGKILL');
    kubeconfig?.remove();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
    await server?.stop();
  });

  test(`every grant-service rule the adapter claims passes (--tags '${E2E_TAGS}')`, { timeout: 600_000 }, async (t) => {
    const run = runSuite(['--side', 'grant-service', '--impl', 'kubernetes', '--kubeconfig', kubeconfig.path, '--tags', E2E_TAGS, '--quiet', '--report-dir', reportDir], {
      timeoutMs: 480_000,
    });
    const result = await run.done;
    const messages = join(reportDir, 'messages.ndjson');
    assert.ok(existsSync(messages), `the run wrote no messages.ndjson (exit ${result.code ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    const scenarios = readScenarios(messages);
    const failed = scenarios.filter((s) => s.status !== 'passed');
    t.diagnostic(`${scenarios.length} scenarios in ${(result.wallMs / 1000).toFixed(1)} s`);
    assert.equal(result.timedOut, false, 'the run did not end within 480 s');
    assert.deepEqual(
      failed.map((s) => `${s.name}: ${s.status} ${s.message ?? ''}`),
      [],
      `scenarios that did not pass:\n${result.stdout}\n${result.stderr}\ncontroller log (end):\n${controller!.log().slice(-4000)}`,
    );
    assert.equal(result.code, 0, `exit ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);

    const report = readReport(reportDir);
    assert.equal(report.side, 'grant-service');
    assert.equal(report.implementation.name, 'kubernetes');
    assert.deepEqual(report.failedRequirements, [], 'failed requirements');
    assert.deepEqual(report.warningRequirements, [], 'warning requirements (failed SHOULD rules)');
    // the adapter claims every grant-service feature (status, delete): nothing may be unsupported
    const claimed = new Set(report.implementation.features);
    const catalogue = new Map(loadCatalogue(featuresDir).map((r) => [r.id, r]));
    const claimedButUnsupported = report.unsupportedRequirements.filter((id) => catalogue.get(id)!.features.every((f) => claimed.has(f)));
    assert.deepEqual(claimedButUnsupported, [], 'unsupported requirements whose features the adapter claims');
    const grantRules = [...catalogue.values()].filter((r) => r.side === 'grant-service').map((r) => r.id);
    const passed = report.requirements.filter((r) => r.result === 'passed').map((r) => r.id);
    assert.deepEqual(passed.sort(), grantRules.sort(), 'every grant-service rule passed');
    assert.ok(scenarios.some((s) => s.tags.includes('@slow')), 'the @slow scenarios ran');
    assert.ok(!scenarios.some((s) => s.tags.includes('@empty-string')), 'no @empty-string scenario ran');
    t.diagnostic(`verdict ${report.result.verdict}; MUST ${report.result.must.summary}`);
  });

  test('the controller stops on SIGTERM, and nothing of it or of the run is left running', { timeout: 60_000 }, async () => {
    const exit = await controller!.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, `the controller's log:\n${controller!.log().slice(-2000)}`);
    assert.match(controller!.log(), /controller: stopped/);
    controller = undefined;
    assert.deepEqual(processesWith(kubeconfig.path), [], "processes still running with this test's kubeconfig");
  });
});
