// The loader (adapters/load.ts) runs a module given by path in a process of its own, on both sides, and
// reports its problems as before: one line, ConfigurationError (exit 2). Built-ins and the bundled broken
// implementations stay in this process. No child is left behind by a module that was refused.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError, isModulePath, loadGrantService, loadImplementation } from '../../../adapters/load.ts';
import { isolatedPid } from '../../../adapters/isolated/process.ts';
import { firstLine } from '../../../model/text.ts';
import { REPOSITORY_ROOT } from '../../../harness/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'atc-isolated-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A module of `body` in the test's directory; its path. */
function module(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

const redeemer = (extra: string) => `export default async () => ({ name: 'm', apply: async () => {}, observe: async () => ({ accessTokens: [], secrets: [], links: [] }), ${extra} });`;

async function refusal(load: Promise<unknown>): Promise<string> {
  const e = await load.then(
    () => assert.fail('the module was accepted'),
    (e: unknown) => e,
  );
  assert.ok(e instanceof ConfigurationError, `not a ConfigurationError: ${String(e)}`);
  assert.ok(!e.message.includes('\n'), `more than one line: ${e.message}`);
  return e.message;
}

function isolatedChildren(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('isolated/child'));
  } catch {
    return [];
  }
}

describe('modules given by path are refused with the same one-line messages', () => {
  test('a module that does not load', async () => {
    const file = module('syntax.mjs', 'export default async function create( {');
    const inProcess = await import(pathToFileURL(file).href).then(
      () => assert.fail('it loaded'),
      (e: unknown) => firstLine(e),
    );
    assert.equal(await refusal(loadImplementation(file)), `--impl ${file}: the module could not be loaded: ${inProcess}`);
  });

  test('no default export', async () => {
    const file = module('no-default.mjs', 'export const create = () => ({});');
    assert.equal(await refusal(loadImplementation(file)), `--impl ${file}: the module has no default export function create(options)`);
  });

  test('create() throws', async () => {
    const file = module('create-throws.mjs', "export default async () => { throw new Error('no endpoint given\\nsecond line'); };");
    assert.equal(await refusal(loadImplementation(file)), `--impl ${file}: create() failed: no endpoint given`);
  });

  test('create() ends its process', async () => {
    const file = module('create-exits.mjs', 'export default async () => process.exit(4);');
    assert.equal(await refusal(loadImplementation(file)), `--impl ${file}: create() failed: the implementation's process ended during create(): exit code 4`);
  });

  const shapes: [string, string, string][] = [
    ['not-object.mjs', 'export default async () => 42;', 'create() did not return an object'],
    ['no-name.mjs', 'export default async () => ({ apply: async () => {}, observe: async () => ({}) });', 'the implementation has no name'],
    ['no-apply.mjs', "export default async () => ({ name: 'm', observe: async () => ({}) });", 'the implementation has no apply() method'],
    ['resync-not-function.mjs', redeemer('resync: 5'), 'resync is not a function'],
    ['features-not-list.mjs', redeemer("features: 'status'"), 'features is not a list of strings'],
    ['features-not-strings.mjs', redeemer('features: [1]'), 'features is not a list of strings'],
  ];
  for (const [name, body, problem] of shapes) {
    test(`the contract check: ${problem}`, async () => {
      const file = module(name, body);
      assert.equal(await refusal(loadImplementation(file)), `--impl ${file}: ${problem} (see docs/adapters.md)`);
    });
  }

  test('the grant-service side checks its own contract', async () => {
    const file = module('grant-no-apply.mjs', "export default async () => ({ name: 'g', observe: async () => ({ accessGrants: [] }) });");
    assert.equal(await refusal(loadGrantService(file)), `--impl ${file}: the implementation has no applyGrant() method (see docs/adapters.md)`);
  });

  test('no child is left by a refused module', async () => {
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(isolatedChildren(), []);
  });
});

describe('which implementations run isolated', () => {
  test('module paths, on both sides', async () => {
    const file = module('good.mjs', redeemer("version: '2', features: ['status']"));
    const impl = await loadImplementation(file);
    try {
      assert.ok(isolatedPid(impl), 'a module path runs in a child process');
      assert.equal(impl.name, 'm');
      assert.equal(impl.version, '2');
      assert.deepEqual(impl.features, ['status']);
      assert.equal(impl.resync, undefined);
      assert.deepEqual(await impl.observe({ name: 's', namespace: 'n', uid: 'u' }), { accessTokens: [], secrets: [], links: [] });
    } finally {
      await impl.close!();
    }
    const grants = await loadGrantService(join(REPOSITORY_ROOT, 'test', 'fixtures', 'crashing', 'exits-in-apply-grant.mjs'));
    try {
      assert.ok(isolatedPid(grants));
      assert.equal(grants.name, 'exits-in-apply-grant');
    } finally {
      await grants.close!();
    }
  });

  test('built-ins and the bundled broken ones stay in this process', async () => {
    for (const spec of ['reference', 'broken/follows-redirects']) {
      const impl = await loadImplementation(spec);
      assert.equal(isolatedPid(impl), undefined, spec);
      await impl.close?.();
    }
    assert.equal(isModulePath('reference'), false);
    assert.equal(isModulePath('broken/x'), false);
    assert.equal(isModulePath('kubernetes', 'grant-service'), false);
    for (const spec of ['./x', '/abs/impl', 'impl.ts', 'impl.mjs', 'impl.js']) assert.equal(isModulePath(spec), true, spec);
  });
});
