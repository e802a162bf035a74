// The options of `--side grant-service --impl kubernetes`: defaults, every option read, what a user gets
// wrong (a one-line configuration error before any cluster is reached), and the grantHost rewrite.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeClients } from '../../../adapters/kubernetes/client.ts';
import { parseGrantServiceOptions, type GrantServiceOptions } from '../../../adapters/kubernetes/grant-options.ts';
import { KubernetesGrantService } from '../../../adapters/kubernetes/grants.ts';
import { BUILT_IN_GRANT_SERVICES, ConfigurationError, loadGrantService, resolveImplementation } from '../../../adapters/load.ts';
import type { AccessGrant } from '../../../model/resources.ts';

const DEFAULTS: GrantServiceOptions = {
  kubeconfig: undefined,
  context: undefined,
  prefix: undefined,
  installCrds: false,
  siteEndpoints: 'status',
  siteTimeoutMs: 180_000,
  deleteTimeoutMs: 30_000,
  deleteNamespaces: false,
  features: ['status', 'delete', 'grant-resource', 'short-windows'],
  version: undefined,
  grantHost: undefined,
};

describe('the kubernetes grant service adapter options', () => {
  test('none given: the documented defaults; empty ones take them too', () => {
    assert.deepEqual(parseGrantServiceOptions({}), DEFAULTS);
    const empty = Object.fromEntries(['kubeconfig', 'context', 'namespace', 'installCrds', 'siteEndpoints', 'siteTimeoutMs', 'deleteTimeoutMs', 'deleteNamespaces', 'features', 'version', 'grantHost'].map((k) => [k, '']));
    assert.deepEqual(parseGrantServiceOptions(empty), DEFAULTS);
  });

  test('every option is read', () => {
    assert.deepEqual(
      parseGrantServiceOptions({
        kubeconfig: '/k/config',
        context: 'kind-x',
        namespace: 'Grant_Run',
        installCrds: 'true',
        siteEndpoints: 'cluster',
        siteTimeoutMs: '1000',
        deleteTimeoutMs: '0',
        deleteNamespaces: 'true',
        features: 'status',
        version: '2.1.0',
        grantHost: 'grants.example.test',
      }),
      {
        kubeconfig: '/k/config',
        context: 'kind-x',
        prefix: 'grant-run',
        installCrds: true,
        siteEndpoints: 'cluster',
        siteTimeoutMs: 1000,
        deleteTimeoutMs: 0,
        deleteNamespaces: true,
        features: ['status'],
        version: '2.1.0',
        grantHost: 'grants.example.test',
      } satisfies GrantServiceOptions,
    );
  });

  test('an unknown key, a bad value or an unknown feature is an error naming it', () => {
    assert.throws(() => parseGrantServiceOptions({ controller: 'in-process' }), /unknown option "controller" for the kubernetes grant service adapter/);
    assert.throws(() => parseGrantServiceOptions({ siteEndpoints: 'spec' }), /options\.siteEndpoints must be "status" or "cluster", not "spec"/);
    assert.throws(() => parseGrantServiceOptions({ deleteTimeoutMs: '-1' }), /options\.deleteTimeoutMs must be a number of milliseconds/);
    assert.throws(() => parseGrantServiceOptions({ features: 'status,resync' }), /options\.features: "resync" is not a known grant service feature \(status, delete, grant-resource, short-windows\)/);
    assert.throws(() => parseGrantServiceOptions({ grantHost: 'a host' }), /options\.grantHost/);
  });

  test('`--side grant-service --impl kubernetes` is built in, and its bad options are a configuration error', async () => {
    assert.equal(resolveImplementation('kubernetes', process.cwd(), 'grant-service'), BUILT_IN_GRANT_SERVICES.kubernetes);
    await assert.rejects(loadGrantService('kubernetes', { bogus: 'x' }), (e: unknown) => {
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /^--impl kubernetes: create\(\) failed: unknown option "bogus"/);
      return true;
    });
  });
});

describe('observe() with grantHost', () => {
  const grant = (url: string): AccessGrant => ({ apiVersion: 'skupper.io/v2alpha1', kind: 'AccessGrant', metadata: { name: 'g' }, spec: {}, status: { url, code: 'c', ca: 'x' } });
  const withList = (items: AccessGrant[]) =>
    ({ custom: { listNamespacedCustomObject: async () => ({ items }) }, close() {} }) as unknown as KubeClients;
  const site = { name: 's', namespace: 'ns', uid: 'u', endpoints: [] };

  test('rewrites the host of status.url, keeping scheme, port and path', async () => {
    const impl = new KubernetesGrantService(withList([grant('https://10.0.0.7:9090/4b0c-uid')]), { ...DEFAULTS, grantHost: 'grants.example.test' });
    const { accessGrants } = await impl.observe(site);
    assert.equal(accessGrants[0].status?.url, 'https://grants.example.test:9090/4b0c-uid');
  });

  test('without grantHost, or for a URL that does not parse, shows status.url as the service wrote it', async () => {
    const plain = new KubernetesGrantService(withList([grant('https://10.0.0.7:9090/uid')]), DEFAULTS);
    assert.equal((await plain.observe(site)).accessGrants[0].status?.url, 'https://10.0.0.7:9090/uid');
    const bad = new KubernetesGrantService(withList([grant('not a url')]), { ...DEFAULTS, grantHost: 'h' });
    assert.equal((await bad.observe(site)).accessGrants[0].status?.url, 'not a url');
  });
});
