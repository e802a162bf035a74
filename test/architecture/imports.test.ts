// The layout's promise (docs/architecture.md), checked on every run: imports between the top-level
// folders run one way, and no module imports itself back through others. Type-only imports count: a
// type is a dependency too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPOSITORY_ROOT as root } from '../../harness/cli.ts';

/** Each folder and the folders it may import from: the command line above the steps, the steps above the reports, the references, the adapters, the shared model at the bottom. */
export const MAY_IMPORT: Record<string, string[]> = {
  cli: ['steps', 'reports', 'simulator', 'adapters', 'model'],
  steps: ['reports', 'simulator', 'adapters', 'model'],
  reports: ['simulator', 'adapters', 'model'],
  // the references implement the adapters' contract; the reference controller talks to Kubernetes
  // through the adapter's client. adapters/ finds the references by file (adapters/load.ts), never by import.
  simulator: ['adapters', 'model'],
  adapters: ['model'],
  model: [],
  // loaded by file as implementations under test; nothing imports them
  fixtures: ['simulator', 'adapters', 'model'],
  // for tests and the bench only: start the CLI by file, read its reports
  harness: ['reports', 'adapters', 'model'],
  bench: ['harness', 'simulator', 'adapters', 'model'],
  // build steps (npm run build): they work on packages and dist/, not on the project's modules
  scripts: [],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^;]*?from\s*'([^']+)'|import\s*\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm;

/** The project modules a file imports (relative specifiers only), as absolute paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) out.push(resolve(dirname(file), spec));
  }
  return out;
}

const folderOf = (file: string) => relative(root, file).split('/')[0];
const files = Object.keys(MAY_IMPORT).flatMap((dir) => (existsSync(join(root, dir)) ? sourceFiles(join(root, dir)) : []));
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every top-level folder of source is placed in the layering', () => {
  const placed = new Set([...Object.keys(MAY_IMPORT), 'test', 'features', 'docs', 'examples', 'manifests', 'node_modules', 'dist', 'coverage', 'conformance-report']);
  const unplaced = readdirSync(root).filter((e) => !e.startsWith('.') && statSync(join(root, e)).isDirectory() && !placed.has(e));
  assert.deepEqual(unplaced, [], 'add the new folder to MAY_IMPORT and to docs/architecture.md');
});

test('imports between folders run one way (cli → steps → reports → simulator → adapters → model)', () => {
  assert.ok(files.length > 50, `${files.length} source files found`);
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (to !== from && !MAY_IMPORT[from].includes(to)) wrong.push(`${relative(root, file)} → ${relative(root, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no source module imports itself back through others', () => {
  // Tarjan's strongly connected components over the file graph: any component of more than one file is a cycle
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(root, w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of graph.keys()) if (!indices.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('the walker sees real imports (a check of the check)', () => {
  const load = importsOf(join(root, 'adapters', 'load.ts')).map((f) => relative(root, f));
  assert.ok(load.includes('model/text.ts') && load.includes('adapters/contract.ts'), load.join(', '));
});

test('no module but the door imports @kubernetes/client-node: dist/ would otherwise load the package beside its bundle', () => {
  // the door is adapters/kubernetes/client-node.ts; npm run build puts the package bundled behind it
  const door = join(root, 'adapters', 'kubernetes', 'client-node.ts');
  // TypeScript modules: scripts/bundle-client-node.mjs, the build step that makes the bundle, names the package by design
  const importers = [...files, ...sourceFiles(join(root, 'test'))]
    .filter((f) => f.endsWith('.ts') && f !== door && /from\s+'@kubernetes\/client-node'|import\('@kubernetes\/client-node'\)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(importers, []);
});
