// Loading a kubeconfig (adapters/kubernetes/client.ts): certificate files are read once, at load, and a
// file that cannot be read is named then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../../adapters/kubernetes/client.ts';

function kubeconfig(dir: string, user: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", certificate-authority: "${join(dir, 'ca.crt')}"}}]`,
      `users: [{name: u, user: ${user}}]`,
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  return path;
}

test('certificate files are read once, at load', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actest-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
  writeFileSync(join(dir, 'tls.crt'), 'CERT PEM');
  writeFileSync(join(dir, 'tls.key'), 'KEY PEM');
  const kc = loadKubeConfig({
    kubeconfig: kubeconfig(dir, `{client-certificate: "${join(dir, 'tls.crt')}", client-key: "${join(dir, 'tls.key')}"}`),
  });
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  assert.equal(Buffer.from(cluster.caData!, 'base64').toString(), 'CA PEM');
  assert.equal(cluster.caFile, undefined);
  assert.equal(Buffer.from(user.certData!, 'base64').toString(), 'CERT PEM');
  assert.equal(Buffer.from(user.keyData!, 'base64').toString(), 'KEY PEM');
  assert.equal(user.certFile, undefined);
  assert.equal(user.keyFile, undefined);
  // rewriting the files now changes nothing the config hands out
  writeFileSync(join(dir, 'ca.crt'), 'OTHER');
  assert.equal(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString(), 'CA PEM');
});

test('a certificate file that cannot be read is named when the kubeconfig is loaded', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actest-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = kubeconfig(dir, '{token: "t"}');
  assert.throws(() => loadKubeConfig({ kubeconfig: path }), new RegExp(`kubeconfig names ${join(dir, 'ca.crt')}, which cannot be read: ENOENT`));
});
