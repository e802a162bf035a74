// The bundle that `npm run build` puts behind @kubernetes/client-node's one door (adapters/kubernetes/
// client-node.ts) in dist/ (scripts/bundle-client-node.mjs). That nothing else imports the package is
// the architecture test's (test/architecture/imports.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { REPOSITORY_ROOT } from '../../../harness/cli.ts';
import * as door from '../../../adapters/kubernetes/client-node.ts';

test('the bundle is one file that exports what the package exports, and its classes work', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'actest-client-node-'));
  try {
    const { bundleClientNode } = (await import(pathToFileURL(join(REPOSITORY_ROOT, 'scripts', 'bundle-client-node.mjs')).href)) as {
      bundleClientNode(outfile: string): Promise<string>;
    };
    const file = await bundleClientNode(join(dir, 'client-node.js'));
    assert.deepEqual(readdirSync(dir), ['client-node.js'], 'one file, nothing beside it');
    assert.ok(statSync(file).size > 1_000_000, 'the package itself is in it, not an import of it');
    assert.doesNotMatch(readFileSync(file, 'utf8'), /from\s*["']@kubernetes\/client-node["']/);
    const bundled = (await import(pathToFileURL(file).href)) as typeof door;
    assert.deepEqual(Object.keys(bundled).sort(), Object.keys(door).sort());

    const kc = new bundled.KubeConfig();
    kc.loadFromString(
      ['apiVersion: v1', 'kind: Config', 'current-context: c', 'clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]',
        'users: [{name: u, user: {token: t}}]', 'contexts: [{name: c, context: {cluster: k, user: u, namespace: ns}}]'].join('\n'),
    );
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(kc.getContextObject('c')?.namespace, 'ns');
    assert.equal(typeof kc.makeApiClient(bundled.CustomObjectsApi).listNamespacedCustomObject, 'function');
    assert.equal(new bundled.ApiException(404, 'not found', {}, {}).code, 404);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
