// The kubernetes adapter's options: defaults, every option read, and what a user gets wrong (an unknown
// key, a bad value), which is a one-line configuration error before any cluster is reached.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KNOWN_FEATURES } from '../../../adapters/contract.ts';
import { dnsLabel, parseOptions, type KubernetesOptions } from '../../../adapters/kubernetes/options.ts';
import { ConfigurationError, loadImplementation } from '../../../adapters/load.ts';

const DEFAULTS: KubernetesOptions = {
  kubeconfig: undefined,
  context: undefined,
  prefix: undefined,
  controller: 'external',
  installCrds: false,
  allSecrets: false,
  excludeSecrets: /^skupper-/,
  siteReady: 'none',
  siteTimeoutMs: 180_000,
  settleMs: 300,
  retireSites: true,
  deleteNamespaces: false,
  features: Object.keys(KNOWN_FEATURES),
  version: undefined,
};

describe('the kubernetes adapter options', () => {
  test('none given: the documented defaults', () => {
    assert.deepEqual(parseOptions({}), DEFAULTS);
    assert.deepEqual(parseOptions({}).features, ['status', 'link-cost', 'resync', 'site-deletion', 'owner-references', 'token-deletion']);
  });

  test('every option is read', () => {
    const parsed = parseOptions({
      kubeconfig: '/k/config',
      context: 'kind-x',
      namespace: 'Conformance_Run',
      controller: 'in-process',
      installCrds: 'true',
      secrets: 'all',
      excludeSecrets: '^own-',
      siteReady: 'ready',
      siteTimeoutMs: '5000',
      settleMs: '0',
      retireSites: 'false',
      deleteNamespaces: 'true',
      features: 'status, resync,,',
      version: '2.1.0',
    });
    assert.deepEqual(parsed, {
      kubeconfig: '/k/config',
      context: 'kind-x',
      prefix: 'conformance-run',
      controller: 'in-process',
      installCrds: true,
      allSecrets: true,
      excludeSecrets: /^own-/,
      siteReady: 'ready',
      siteTimeoutMs: 5000,
      settleMs: 0,
      retireSites: false,
      deleteNamespaces: true,
      features: ['status', 'resync'],
      version: '2.1.0',
    } satisfies KubernetesOptions);
    assert.equal(parseOptions({ siteReady: 'status' }).siteReady, 'status');
    assert.equal(parseOptions({ secrets: 'tls' }).allSecrets, false);
  });

  test('an option given empty takes its default, except excludeSecrets, where empty leaves no Secret out', () => {
    const empty = Object.fromEntries(Object.keys(DEFAULTS).filter((k) => !['prefix', 'allSecrets', 'excludeSecrets'].includes(k)).map((k) => [k, '']));
    assert.deepEqual(parseOptions({ ...empty, namespace: '', secrets: '' }), DEFAULTS);
    assert.equal(parseOptions({ excludeSecrets: '' }).excludeSecrets, undefined);
  });

  test('features given as only commas claim none', () => {
    assert.deepEqual(parseOptions({ features: ' , ' }).features, []);
  });

  test('grantHost, which the suite sets for every implementation, is accepted and ignored', () => {
    assert.deepEqual(parseOptions({ grantHost: 'grants.example.test' }), DEFAULTS);
  });

  test('an unknown key is an error naming it and the known ones', () => {
    assert.throws(() => parseOptions({ kubeConfig: '/k' }), {
      message:
        'unknown option "kubeConfig" for the kubernetes adapter (known: kubeconfig, context, namespace, controller, installCrds, secrets, ' +
        'excludeSecrets, siteReady, siteTimeoutMs, settleMs, retireSites, deleteNamespaces, features, version)',
    });
    assert.throws(() => parseOptions({ command: 'x' }), /unknown option "command" for the kubernetes adapter/);
  });

  const badValues: Array<[Record<string, string>, string | RegExp]> = [
    [{ controller: 'sidecar' }, 'options.controller must be "external" or "in-process", not "sidecar"'],
    [{ secrets: 'opaque' }, 'options.secrets must be "tls" or "all", not "opaque"'],
    [{ siteReady: 'yes' }, 'options.siteReady must be "none" or "status" or "ready", not "yes"'],
    [{ installCrds: 'yes' }, 'options.installCrds must be "true" or "false", not "yes"'],
    [{ retireSites: 'maybe' }, 'options.retireSites must be "true" or "false", not "maybe"'],
    [{ deleteNamespaces: '1' }, 'options.deleteNamespaces must be "true" or "false", not "1"'],
    [{ siteTimeoutMs: 'soon' }, 'options.siteTimeoutMs must be a number of milliseconds, 0 or more, not "soon"'],
    [{ siteTimeoutMs: '-1' }, 'options.siteTimeoutMs must be a number of milliseconds, 0 or more, not "-1"'],
    [{ settleMs: ' ' }, 'options.settleMs must be a number of milliseconds, 0 or more, not " "'],
    [{ settleMs: 'Infinity' }, 'options.settleMs must be a number of milliseconds, 0 or more, not "Infinity"'],
    [{ features: 'status,teleport' }, /^options\.features: "teleport" is not a known feature \(status, link-cost, /],
    [{ excludeSecrets: '(' }, 'options.excludeSecrets: Invalid regular expression: /(/: Unterminated group'],
    [{ namespace: '---' }, 'options.namespace: cannot make a namespace name of "---"'],
  ];
  for (const [options, message] of badValues) {
    test(`a bad value is an error naming the option: ${JSON.stringify(options)}`, () => {
      assert.throws(() => parseOptions(options), { message });
    });
  }

  test('through the loader: a one-line ConfigurationError, raised before any cluster is reached', async () => {
    for (const [options, pattern] of [
      [{ bogus: '1' }, /unknown option "bogus" for the kubernetes adapter/],
      [{ siteReady: 'soon' }, /options\.siteReady must be "none" or "status" or "ready", not "soon"/],
      // a kubeconfig that does not exist: the options fail first
      [{ kubeconfig: '/nonexistent/kubeconfig', settleMs: 'x' }, /options\.settleMs must be a number/],
    ] as const) {
      const error = await loadImplementation('kubernetes', options).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigurationError, `${JSON.stringify(options)} was accepted`);
      assert.match(error.message, /^--impl kubernetes: create\(\) failed: /);
      assert.match(error.message, pattern);
      assert.equal(error.message.split('\n').length, 1);
    }
  });
});

describe('dnsLabel', () => {
  test('makes a DNS-1123 label of a name: lower case, other characters as "-", at most 63 characters', () => {
    assert.equal(dnsLabel('Scenario_NS.1'), 'scenario-ns-1');
    assert.equal(dnsLabel('--a--'), 'a');
    assert.equal(dnsLabel(`${'x'.repeat(62)}-y`), 'x'.repeat(62));
    assert.equal(dnsLabel('a'.repeat(70)).length, 63);
  });

  test('refuses a name with nothing left', () => {
    assert.throws(() => dnsLabel('___'), { message: 'cannot make a namespace name of "___"' });
  });
});
