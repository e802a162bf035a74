// The command line as users and CI meet it: exit codes, one-line errors, the catalogue, a module written
// only from docs/adapters.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCliSync } from '../../harness/cli.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (args: string[]) => runCliSync(args);

test('list --json gives at least 40 requirements, each with ID, level, family, statement and source', () => {
  const r = cli(['list', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as Array<Record<string, string>>;
  assert.ok(list.length >= 40, `${list.length} requirements`);
  for (const req of list) {
    assert.match(req.id, /^AT-[A-Z]+-\d{3}$/);
    assert.ok(['MUST', 'SHOULD'].includes(req.level));
    for (const k of ['family', 'statement', 'source']) assert.ok(req[k], `${req.id} has no ${k}`);
  }
  assert.equal(new Set(list.map((r) => r.id)).size, list.length, 'IDs are unique');
});

test('list prints one requirement per entry with its source', () => {
  const r = cli(['list']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /AT-TRUST-001 +MUST +redeemer +trust/);
  assert.match(r.stdout, /source: /);
});

test('list --side names only that side\'s requirements, each with its side', () => {
  const r = cli(['list', '--side', 'grant-service', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as Array<Record<string, string>>;
  assert.ok(list.length > 0);
  assert.deepEqual([...new Set(list.map((x) => x.side))], ['grant-service']);
  const redeemer = JSON.parse(cli(['list', '--side', 'redeemer', '--json']).stdout) as Array<Record<string, string>>;
  assert.equal(redeemer.length + list.length, (JSON.parse(cli(['list', '--json']).stdout) as unknown[]).length);
});

for (const [args, pattern] of [
  [['run', '--bogus'], /Unknown option '--bogus'/],
  [['run', '--impl', './no-such-module.js'], /no such file/],
  [['run', '--impl', 'nonsense'], /not a known implementation/],
  [['run', '--impl-option', 'novalue'], /expected key=value/],
  [['run', '--timeout', 'soon'], /--timeout soon/],
  [['run', '--parallel=-1'], /--parallel -1/],
  [['run', '--parallel', '-1'], /--parallel' argument is ambiguous/],
  [['run', '--requirement', 'AT-NOPE-999'], /AT-NOPE-999: not in the catalogue/],
  [['frobnicate'], /unknown command "frobnicate"/],
  [['run', '--tags', '@no-such-tag'], /no scenario matches @side:redeemer and \(@no-such-tag\)/],
  [['run', '--side', 'both'], /--side both: expected redeemer or grant-service/],
  [['list', '--side', 'both'], /--side both: expected redeemer or grant-service/],
  [['run', '--tags', 'not ('], /--tags not \(: .*could not be parsed/],
] as const) {
  test(`"${args.join(' ')}" is bad usage: one line naming the problem, exit 2`, () => {
    const r = cli([...args]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('a module that breaks the contract is a configuration error naming what is missing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'half.mjs');
  writeFileSync(file, 'export default async () => ({ name: "half", apply: async () => {} });\n');
  const r = cli(['run', '--impl', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no observe\(\) method/);
});

test('the reference passes one requirement run alone, and the summary says so', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = cli(['run', '--requirement', 'AT-TRUST-001', '--requirement', 'AT-REQ-006', '--quiet', '--report-dir', dir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /5\/5 scenarios passed/);
  assert.match(r.stdout, /Verdict: Conformant \(partial/);
});

test('an implementation written only from docs/adapters.md runs through --impl and passes what it claims', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = cli(['run', '--impl', './examples/minimal-implementation.mjs', '--tags', 'not @slow', '--quiet-period', '0', '--quiet', '--report-dir', dir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /minimal-example 1\.0\.0: \d+\/\d+ scenarios passed/);
  assert.match(r.stdout, /Verdict: Conformant/);
  // it claims no site-deletion: those rules are unsupported, not failed
  assert.match(r.stdout, /conditions +\d+ +0 +0 +2 /);
});
