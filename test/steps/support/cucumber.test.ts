// steps/support/cucumber.ts hands the step files cucumber's API from the modules that define it, so that a
// cucumber worker does not load the package's entry point (its formatters and command line). The objects
// must come from the very builder the entry point exports (its functions are made afresh on each access,
// so they are compared by where they lead): a step defined through another copy of the builder would be
// lost, a World of another class would not be cucumber's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import * as Cucumber from '@cucumber/cucumber';
import * as StepApi from '../../../steps/support/cucumber.ts';

const root = resolve(import.meta.dirname, '../../..');

describe('the step files\' cucumber API', () => {
  test('is the entry point\'s own: its builder, World and Status', () => {
    const builder = createRequire(import.meta.url)('@cucumber/cucumber/lib/support_code_library_builder/index').default;
    assert.equal(builder, Cucumber.supportCodeLibraryBuilder);
    assert.equal(StepApi.World, Cucumber.World);
    assert.equal(StepApi.Status, Cucumber.Status);
    // each function is the builder's (its methods are a Proxy that wraps the method asked for on every access)
    const functions = Object.entries(StepApi).filter(([name]) => name !== 'World' && name !== 'Status');
    assert.equal(functions.length, 12);
    for (const [name, fn] of functions) {
      assert.equal(typeof fn, 'function', name);
      assert.ok(name in builder.methods && typeof (Cucumber as Record<string, unknown>)[name] === 'function', name);
    }
  });

  test('defines steps in the library cucumber builds', () => {
    const builder = Cucumber.supportCodeLibraryBuilder;
    builder.reset(root, () => 'id');
    StepApi.Given('a step defined through the step files\' API', () => undefined);
    StepApi.Before(() => undefined);
    const library = builder.finalize();
    assert.deepEqual(library.stepDefinitions.map((s) => s.pattern), ['a step defined through the step files\' API']);
    assert.equal(library.beforeTestCaseHookDefinitions.length, 1);
    // where the step was defined: this file, not the module the function came through
    assert.match(library.stepDefinitions[0].uri, /cucumber\.test\.ts$/);
  });

  test('loads none of what only the entry point needs (its formatters, configuration and command line)', () => {
    const script = `
      await import('./steps/support/cucumber.ts');
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        entryPoint: loaded.some((f) => f.endsWith('/@cucumber/cucumber/lib/index.js')),
        formatters: loaded.filter((f) => f.includes('/@cucumber/cucumber/lib/formatter/builtin/')).length,
        builder: loaded.some((f) => f.endsWith('/@cucumber/cucumber/lib/support_code_library_builder/index.js')),
      }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { entryPoint: false, formatters: 0, builder: true });
  });

  test('is the only way the step files and what they load take cucumber (types aside)', () => {
    // one value import of the entry point anywhere a worker loads would bring back all it loads
    const valueImport = /^import\s+(?!type\b)[^;]*from\s*'@cucumber\/cucumber'/m;
    const offenders = ['steps', 'simulator', 'adapters', 'model']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(root, dir, f)))
      .filter((f) => f.endsWith('.ts') && !f.endsWith(join('steps', 'support', 'cucumber.ts')))
      .filter((f) => valueImport.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    assert.deepEqual(offenders, []);
  });

  test('the step files load neither node-forge nor yaml until a scenario needs them', () => {
    // what a parallel worker pays for before its first scenario (simulator/pki.ts forgeLib, model/resources.ts yaml)
    const script = `
      const { createRequire } = await import('node:module');
      const { readdirSync } = await import('node:fs');
      const require = createRequire(import.meta.url);
      require('@cucumber/cucumber/lib/support_code_library_builder/index').default.reset(process.cwd(), () => 'id');
      for (const f of readdirSync('steps', { recursive: true, encoding: 'utf8' })) if (f.endsWith('.ts')) await import('./steps/' + f);
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        forge: loaded.some((f) => f.includes('/node_modules/node-forge/')),
        yaml: loaded.some((f) => f.includes('/node_modules/yaml/')),
      }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { forge: false, yaml: false });
  });
});
