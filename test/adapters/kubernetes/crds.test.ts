import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException } from '../../../adapters/kubernetes/client-node.ts';
import {
  apiMessage,
  ensureCrdsInstalled,
  installCrds,
  readCrdManifests,
  uninstallCrds,
  type KubeClients,
} from '../../../adapters/kubernetes/client.ts';
import { SKUPPER_API_VERSION } from '../../../model/resources.ts';
import { clients, coordinates, createNamespace, EMPTY_STRING_REFUSED, ensureCrds, server, skip } from '../../support/kubernetes.ts';

describe('the CRD manifests', () => {
  test('define AccessGrant, AccessToken, Link and Site in skupper.io/v2alpha1, namespaced, with a status subresource', () => {
    const crds = readCrdManifests();
    assert.deepEqual(crds.map((c) => c.metadata?.name).sort(), ['accessgrants.skupper.io', 'accesstokens.skupper.io', 'links.skupper.io', 'sites.skupper.io']);
    for (const crd of crds) {
      assert.equal(crd.spec.group, 'skupper.io');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.deepEqual(crd.spec.versions.map((v) => [v.name, v.served, v.storage]), [['v2alpha1', true, true]]);
      assert.deepEqual(crd.spec.versions[0].subresources?.status, {});
    }
  });

  test('give AccessToken the short names token and to, and the URL/Redeemed/Status/Message columns', () => {
    const token = readCrdManifests().find((c) => c.metadata?.name === 'accesstokens.skupper.io')!;
    assert.deepEqual(token.spec.names.shortNames, ['token', 'to']);
    assert.deepEqual(
      token.spec.versions[0].additionalPrinterColumns?.map((c) => [c.name, c.type, c.jsonPath]),
      [
        ['URL', 'string', '.spec.url'],
        ['Redeemed', 'boolean', '.status.redeemed'],
        ['Status', 'string', '.status.status'],
        ['Message', 'string', '.status.message'],
      ],
    );
    assert.deepEqual(token.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec.required, ['url', 'code', 'ca']);
  });

  test("give AccessGrant the short names grant and gr, Skupper's columns, and the documented spec and status fields", () => {
    const grant = readCrdManifests().find((c) => c.metadata?.name === 'accessgrants.skupper.io')!;
    assert.deepEqual(grant.spec.names.shortNames, ['grant', 'gr']);
    assert.deepEqual(
      grant.spec.versions[0].additionalPrinterColumns?.map((c) => [c.name, c.type, c.jsonPath]),
      [
        ['Redemptions Allowed', 'integer', '.spec.redemptionsAllowed'],
        ['Redemptions Made', 'integer', '.status.redemptions'],
        ['Expiration', 'string', '.status.expirationTime'],
        ['Status', 'string', '.status.status'],
        ['Message', 'string', '.status.message'],
      ],
    );
    const schema = grant.spec.versions[0].schema!.openAPIV3Schema!.properties!;
    assert.deepEqual(Object.keys(schema.spec.properties!).sort(), ['code', 'expirationWindow', 'issuer', 'redemptionsAllowed', 'settings']);
    assert.deepEqual(Object.keys(schema.status.properties!).sort(), ['ca', 'code', 'conditions', 'expirationTime', 'message', 'redemptions', 'status', 'url']);
    assert.equal(schema.spec.properties!.redemptionsAllowed.type, 'integer');
    assert.equal(schema.spec.properties!.expirationWindow.format, undefined, 'an invalid window must reach the grant service');
  });
});

describe('CRDs in a real API server', { skip }, () => {
  let c: KubeClients;
  before(() => {
    c = clients();
  });
  after(() => server?.stop());

  test('ensureCrdsInstalled names the missing AccessToken CRD, the server and the fix', { skip: !server?.started && 'only on an API server of this test run' }, async () => {
    await uninstallCrds(c);
    await assert.rejects(ensureCrdsInstalled(c), {
      message: `the AccessToken CRD (accesstokens.skupper.io) is not installed in the cluster at ${c.server}; install it with: kubectl apply -f manifests/crds/`,
    });
  });

  test('installCrds creates them, Established, and ensureCrdsInstalled then passes', { skip: !server?.started && 'only on an API server of this test run' }, async () => {
    const names = await installCrds(c);
    assert.deepEqual(names.sort(), ['accessgrants.skupper.io', 'accesstokens.skupper.io', 'links.skupper.io', 'sites.skupper.io']);
    for (const name of names) {
      const crd = await c.apiextensions.readCustomResourceDefinition({ name });
      assert.ok(crd.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'), name);
    }
    await ensureCrdsInstalled(c);
    // installing again replaces them in place
    await installCrds(c);
  });

  test('an AccessGrant with an expirationWindow that is no duration is accepted (the grant service reports it)', async () => {
    await ensureCrds(c);
    const namespace = await createNamespace(c);
    const created = (await c.custom.createNamespacedCustomObject({
      ...coordinates('AccessGrant', namespace),
      body: { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name: 'mistimed' }, spec: { expirationWindow: 'iamnotaduration' } },
    })) as { spec: { expirationWindow: string } };
    assert.equal(created.spec.expirationWindow, 'iamnotaduration');
  });

  describe('validate AccessTokens as the CRD says', () => {
    let namespace: string;
    before(async () => {
      await ensureCrds(c);
      namespace = await createNamespace(c);
    });

    const create = (name: string, spec: Record<string, unknown>) =>
      c.custom.createNamespacedCustomObject({
        ...coordinates('AccessToken', namespace),
        body: { apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: { name }, spec },
      });

    test('a token without a CA is refused with spec.ca: Required value', async () => {
      const err = await create('no-ca', { url: 'https://a.example/x', code: 'c' }).catch((e: unknown) => e);
      assert.ok(err instanceof ApiException);
      assert.equal(err.code, 422);
      assert.match(apiMessage(err), /spec\.ca: Required value/);
    });

    test('a token whose CA is empty is accepted (the controller refuses it later)', async (t) => {
      const result = await create('empty-ca', { url: 'https://a.example/x', code: 'c', ca: '' }).catch((e: unknown) => e);
      if (result instanceof ApiException && EMPTY_STRING_REFUSED.test(apiMessage(result))) {
        t.skip(`this API server refuses empty strings in typed fields of custom resources: ${apiMessage(result)}`);
        return;
      }
      assert.equal((result as { spec: { ca: string } }).spec.ca, '');
    });

    test('status is written only through the status subresource, and conditions follow the schema', async () => {
      const created = (await create('status', { url: 'https://a.example/x', code: 'c', ca: 'x' })) as Record<string, any>;
      const condition = { type: 'Redeemed', status: 'False', reason: 'Error', message: 'm', lastTransitionTime: '2026-11-28T06:00:00Z' };
      const stored = (await c.custom.replaceNamespacedCustomObjectStatus({
        ...coordinates('AccessToken', namespace),
        name: 'status',
        body: { ...created, status: { status: 'Error', message: 'm', conditions: [condition] } },
      })) as Record<string, any>;
      assert.deepEqual(stored.status.conditions, [condition]);

      const bad = await c.custom
        .replaceNamespacedCustomObjectStatus({
          ...coordinates('AccessToken', namespace),
          name: 'status',
          body: { ...stored, status: { conditions: [{ ...condition, reason: 'not a reason' }] } },
        })
        .catch((e: unknown) => e);
      assert.ok(bad instanceof ApiException);
      assert.equal(bad.code, 422);
      assert.match(apiMessage(bad), /status\.conditions(\[0\])?\.reason/);
    });
  });
});
