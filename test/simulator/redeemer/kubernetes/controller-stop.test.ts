// Acceptance: stopping the controller during a run makes the remaining scenarios fail with timeout
// messages that show the last observed status, the run ends, and nothing is left running.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeClients } from '../../../../adapters/kubernetes/client.ts';
import type { AccessToken } from '../../../../model/resources.ts';
import { groupGone, privateKubeconfig, processesWith, readScenarios, runSuite, startController, type ControllerProcess } from '../../../../harness/processes.ts';
import { clients, coordinates, ensureCrds, server, skip } from '../../../support/kubernetes.ts';

/** Ten scenarios, each settling one token that fails (no Secret, no Link): quick with a controller. */
const TAGS = '@family:grant-errors';
const TIMEOUT_SECONDS = 1;
/** Distinct tokens with a status seen before the controller is killed: the first scenarios passed. */
const SETTLED_BEFORE_KILL = 2;

describe('stopping the controller during a run', { skip }, () => {
  let reportDir: string;
  let c: KubeClients;
  let kubeconfig: { path: string; remove(): void };
  let controller: ControllerProcess | undefined;

  before(async () => {
    reportDir = mkdtempSync(join(tmpdir(), 'actest-stop-report-'));
    c = clients();
    await ensureCrds(c);
    kubeconfig = privateKubeconfig(server!.kubeconfig, 'actest-stop');
    controller = await startController(kubeconfig.path, { resyncSeconds: 30 });
  });

  after(async () => {
    await controller?.stop('SIGKILL');
    c?.close();
    kubeconfig?.remove();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
    await server?.stop();
  });

  test('fails the remaining scenarios with timeouts that show the last observed status; the run ends; nothing is left', { timeout: 180_000 }, async (t) => {
    const run = runSuite(['--impl', 'kubernetes', '--kubeconfig', kubeconfig.path, '--tags', TAGS, '--timeout', String(TIMEOUT_SECONDS), '--report-dir', reportDir], {
      timeoutMs: 150_000,
    });

    // Each scenario's token lives until the next scenario begins (the adapter then removes it): poll the
    // cluster for tokens the controller has written a status to.
    const settled = new Set<string>();
    const ended = run.done.then(() => true);
    while (settled.size < SETTLED_BEFORE_KILL) {
      assert.equal(await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 20))]), false, `the run ended before ${SETTLED_BEFORE_KILL} tokens settled:\n${run.stdout()}`);
      const { items } = (await c.custom.listClusterCustomObject(coordinates('AccessToken'))) as { items: AccessToken[] };
      for (const token of items) if (token.status?.status) settled.add(token.metadata.uid ?? token.metadata.name);
    }
    const killedAt = Date.now();
    const exit = await controller!.stop('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    controller = undefined;

    const result = await run.done;
    t.diagnostic(`the run ended ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the controller was killed`);
    assert.equal(result.timedOut, false, 'the run did not end');
    assert.equal(result.code, 1, `exit ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);

    const messages = join(reportDir, 'messages.ndjson');
    assert.ok(existsSync(messages), `the run wrote no messages.ndjson:\n${result.stdout}\n${result.stderr}`);
    const scenarios = readScenarios(messages);
    // @family:grant-errors on the redeemer side: AT-ERR-001's seven answers, AT-ERR-002 and AT-ERR-003
    assert.equal(scenarios.length, 9, scenarios.map((s) => s.name).join('\n'));
    const passed = scenarios.filter((s) => s.status === 'passed');
    const failed = scenarios.filter((s) => s.status !== 'passed');
    t.diagnostic(`${passed.length} passed before the controller was killed, ${failed.length} failed after`);
    assert.ok(passed.length >= SETTLED_BEFORE_KILL, `${passed.length} scenarios passed`);
    assert.ok(failed.length >= 1, 'no scenario failed');
    t.diagnostic(`first failure: ${failed[0].name}: ${failed[0].message}`);
    // the run is sequential: the scenarios that passed are the first ones
    assert.deepEqual(scenarios.slice(0, passed.length), passed, 'a scenario passed after one had failed');
    for (const s of failed) {
      assert.equal(s.status, 'failed', s.name);
      assert.match(s.message ?? '', new RegExp(`AccessToken "[^"]+" did not settle within ${TIMEOUT_SECONDS * 1000} ms; last observed `), s.name);
      // with the controller gone, the tokens stay as the adapter made them
      assert.match(s.message ?? '', /last observed AccessToken "[^"]+" has no status/, s.name);
    }
    assert.match(result.stdout, /Not conformant/);

    assert.ok(await groupGone(run.pgid), 'processes of the run are left');
    assert.deepEqual(processesWith(kubeconfig.path), [], 'processes still running with this test\'s kubeconfig');
  });
});
