// As users run it: the packed package, installed in an empty folder, runs the suite with npx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

test('the packed package installs in an empty folder and `npx accesstoken-conformance run` passes there', { timeout: 240_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'atc-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  const tarball = join(work, packed);
  assert.ok(existsSync(tarball), `npm pack wrote no ${packed}`);

  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  assert.match(listing, /package\/dist\/cli\/main\.js/);
  assert.match(listing, /package\/features\/ca-trust\.feature/);
  assert.doesNotMatch(listing, /package\/test\//, 'the tests are not shipped');

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore' });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app, stdio: 'ignore' });

  const run = spawnSync('npx', ['accesstoken-conformance', 'run', '--tags', 'not @slow', '--quiet'], { cwd: app, encoding: 'utf8' });
  assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Verdict: Conformant/);
  const reports = readdirSync(join(app, 'conformance-report'));
  for (const f of ['cucumber.html', 'junit.xml', 'messages.ndjson']) assert.ok(reports.includes(f), `no ${f} in ${reports.join(', ')}`);

  const bad = spawnSync('npx', ['accesstoken-conformance', 'run', '--impl', './missing.js'], { cwd: app, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, `one line expected, got:\n${bad.stderr}`);
});
