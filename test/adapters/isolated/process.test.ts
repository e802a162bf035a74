// A module implementation in a process of its own (adapters/isolated/): calls, results and errors pass
// through; the child's end, whatever its kind, fails the calls waiting with what happened and its last
// output; the next call starts a fresh child, until three ends in a row; close() and this process's end
// leave no child behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT, spawnTsx } from '../../../harness/cli.ts';
import { GIVEN_UP, inheritedExecArgv, isolatedPid, startIsolated, type IsolatedOptions } from '../../../adapters/isolated/process.ts';

const CRASHING = join(REPOSITORY_ROOT, 'test', 'fixtures', 'crashing');
const REDEEMER = ['apply', 'observe', 'prepareSite', 'resync', 'deleteSite', 'deleteToken', 'waitForChange', 'close'];
const GRANT_SERVICE = ['applyGrant', 'observe', 'prepareSite', 'deleteGrant', 'close'];
const site = (name = 'site-a') => ({ name, namespace: `ns-${name}`, uid: `uid-${name}` });
const token = { apiVersion: 'skupper.io/v2alpha1', kind: 'AccessToken', metadata: { name: 't1' }, spec: { url: 'https://x', code: 'c', ca: '' } };

type Impl = Record<string, (...args: unknown[]) => Promise<unknown>> & { name: string; version?: unknown; features?: unknown; close(): Promise<void> };

async function start(t: { after(fn: () => Promise<void> | void): void }, fixture: string, extra: Partial<IsolatedOptions> = {}): Promise<Impl> {
  const { implementation } = await startIsolated({ file: join(CRASHING, fixture), options: {}, methods: REDEEMER, ...extra });
  t.after(() => implementation.close().catch(() => undefined));
  return implementation as unknown as Impl;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** This process's children that are isolated implementations (`adapters/isolated/child`). */
function isolatedChildren(): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is none
  }
  return out.split('\n').filter((l) => l.includes('isolated/child'));
}

describe('an isolated implementation', () => {
  test('has the module\'s name, version, features and exactly the contract methods it has (and close)', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    assert.equal(impl.name, 'echoes');
    assert.equal(impl.version, '1.2.3');
    assert.deepEqual(impl.features, ['resync']);
    assert.deepEqual(Object.keys(impl).sort(), ['apply', 'close', 'deleteSite', 'deleteToken', 'features', 'name', 'observe', 'resync', 'version']);
    const pid = isolatedPid(impl)!;
    assert.ok(pid && pid !== process.pid && alive(pid));
  });

  test('passes calls, results and errors through', async (t) => {
    const impl = await start(t, 'echoes.mjs', { options: { greeting: 'hello' } });
    await impl.apply(token, site());
    const seen = (await impl.observe(site())) as Record<string, unknown>;
    assert.deepEqual(seen.accessTokens, [token]);
    assert.deepEqual(seen.options, { greeting: 'hello' });
    assert.equal(seen.pid, isolatedPid(impl));
    // what JSON would not keep
    assert.ok(seen.at instanceof Date && (seen.at as Date).getTime() === 0);
    assert.deepEqual([...(seen.bytes as Uint8Array)], [1, 2, 3]);
    // an error: the same message, name and code
    await assert.rejects(impl.resync(site('b')), (e: Error & { code?: string }) => {
      assert.equal(e.message, 'no resync for b');
      assert.equal(e.name, 'TypeError');
      assert.equal(e.code, 'ENORESYNC');
      return true;
    });
    // a result that cannot cross: an error, and the child lives on
    await assert.rejects(impl.deleteToken('t1', site()), /its result cannot be passed to the suite/);
    assert.deepEqual(((await impl.observe(site())) as { accessTokens: unknown[] }).accessTokens, [token]);
  });

  test('a child that exits during a call: the call says so, and the next call starts a fresh child with the same options', async (t) => {
    const impl = await start(t, 'exits-in-apply.mjs', { options: { name: 'kept' } });
    const first = isolatedPid(impl)!;
    await assert.rejects(impl.apply(token, site()), { message: "the implementation's process ended during apply(): exit code 3" });
    assert.equal(isolatedPid(impl), undefined);
    assert.ok(await gone(first));
    const observed = (await impl.observe(site())) as { accessTokens: unknown[] };
    assert.deepEqual(observed.accessTokens, []);
    const second = isolatedPid(impl)!;
    assert.ok(second && second !== first);
  });

  test('an uncaught exception thrown from a timer: named, with its stack as evidence', async (t) => {
    const impl = await start(t, 'throws-from-timer.mjs');
    await assert.rejects(impl.apply(token, site()), (e: Error) => {
      assert.match(e.message, /^the implementation's process ended during apply\(\): uncaught Error: boom\n/);
      assert.match(e.message, /its last lines of output:\n {2}Error: boom\n {2}\s*at /);
      return true;
    });
  });

  test('an unhandled rejection: named', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    await assert.rejects(impl.deleteSite(site('unhandled-rejection')), /the implementation's process ended during deleteSite\(\): unhandled rejection: Error: nobody waits for this/);
  });

  test('a child killed by a signal: named, and every pending call fails', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    const pending = [impl.deleteSite(site('hang')), impl.deleteSite(site('hang'))];
    await new Promise((r) => setTimeout(r, 100));
    process.kill(isolatedPid(impl)!, 'SIGKILL');
    for (const p of pending) await assert.rejects(p, { message: "the implementation's process ended during deleteSite(): killed by SIGKILL" });
  });

  test('a Ctrl-C (SIGINT to the process group) is the suite\'s to handle: the child lives on until close()', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    const pid = isolatedPid(impl)!;
    process.kill(pid, 'SIGINT');
    process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(alive(pid));
    assert.equal(((await impl.observe(site())) as { pid: number }).pid, pid);
  });

  test('running out of memory: named, with V8\'s fatal line as evidence', async (t) => {
    const impl = await start(t, 'out-of-memory.mjs', { execArgv: ['--max-old-space-size=64'] });
    const started = performance.now();
    await assert.rejects(impl.apply(token, site()), (e: Error) => {
      assert.match(e.message, /^the implementation's process ended during apply\(\): it ran out of memory \(killed by SIGABRT\)\n/);
      assert.match(e.message, /FATAL ERROR: Reached heap limit/);
      return true;
    });
    t.diagnostic(`out of memory after ${Math.round(performance.now() - started)} ms`);
  });

  test('what it wrote is kept for the message only: its last lines', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    await assert.rejects(impl.deleteSite(site('write-then-exit')), (e: Error) => {
      const quoted = e.message.split('\n').slice(2).map((l) => l.trim());
      assert.deepEqual(quoted, ['line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30']);
      return true;
    });
  });

  test('a child that ends between calls: the next call says so, the one after starts afresh', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    const first = isolatedPid(impl)!;
    await impl.deleteSite(site('exit-later'));
    assert.ok(await gone(first));
    await new Promise((r) => setTimeout(r, 400));
    await assert.rejects(impl.observe(site()), { message: "the implementation's process ended between calls (the last was deleteSite()): exit code 5" });
    await impl.observe(site());
    assert.ok(isolatedPid(impl) && isolatedPid(impl) !== first);
  });

  test('three ends in a row with no call answered between: not restarted, every call fails at once', async (t) => {
    const impl = await start(t, 'exits-in-apply.mjs');
    const crash = () => assert.rejects(impl.apply(token, site()), /ended during apply\(\): exit code 3/);
    await crash();
    await impl.observe(site()); // an answer: the count starts again
    await crash();
    await crash();
    await crash();
    const started = performance.now();
    await assert.rejects(impl.observe(site()), { message: GIVEN_UP });
    await assert.rejects(impl.apply(token, site()), { message: GIVEN_UP });
    assert.ok(performance.now() - started < 50, 'a call after giving up fails at once');
    assert.equal(isolatedPid(impl), undefined);
    await impl.close();
  });

  test('close() asks the module\'s close() and ends the child; calls after it fail', async (t) => {
    const impl = await start(t, 'echoes.mjs');
    const pid = isolatedPid(impl)!;
    await impl.close();
    assert.ok(!alive(pid) || (await gone(pid, 1_000)), 'the child still runs after close()');
    await assert.rejects(impl.observe(site()), /observe\(\) was not called: the implementation was closed/);
    await impl.close(); // again: nothing to do
  });

  test('a close() that never returns: bounded, then the child is killed', async (t) => {
    const impl = await start(t, 'echoes.mjs', { options: { closeHangs: 'true' }, closeTimeoutMs: 300 });
    const pid = isolatedPid(impl)!;
    const pending = impl.deleteSite(site('hang'));
    await assert.rejects(impl.close(), { message: "close() did not return within 300 ms: the implementation's process was killed" });
    await assert.rejects(pending, { message: 'deleteSite() did not return: the implementation was closed' });
    assert.ok(await gone(pid, 2_000));
  });

  test('the grant-service side: applyGrant() that exits', async (t) => {
    const { implementation } = await startIsolated({ file: join(CRASHING, 'exits-in-apply-grant.mjs'), options: {}, methods: GRANT_SERVICE });
    t.after(() => implementation.close());
    const impl = implementation as unknown as Impl;
    assert.equal(impl.name, 'exits-in-apply-grant');
    assert.deepEqual(Object.keys(impl).sort(), ['applyGrant', 'close', 'deleteGrant', 'features', 'name', 'observe', 'version']);
    const grant = { apiVersion: 'skupper.io/v2alpha1', kind: 'AccessGrant', metadata: { name: 'g', namespace: 'ns' }, spec: {} };
    await assert.rejects(impl.applyGrant(grant, { ...site(), endpoints: [] }), { message: "the implementation's process ended during applyGrant(): exit code 3" });
    assert.deepEqual(await impl.observe({ ...site(), endpoints: [] }), { accessGrants: [] });
  });

  test('no isolated child of this process is left running', async () => {
    // the tests above closed theirs (t.after runs before the next test starts)
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(isolatedChildren(), []);
  });
});

describe('the child does not outlive the suite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-isolated-'));
  const script = join(dir, 'parent.mts');
  writeFileSync(
    script,
    `import { startIsolated } from ${JSON.stringify(pathToFileURL(join(REPOSITORY_ROOT, 'adapters', 'isolated', 'process.ts')).href)};
const { implementation } = await startIsolated({ file: ${JSON.stringify(join(CRASHING, 'echoes.mjs'))}, options: {}, methods: ['apply', 'observe', 'deleteSite', 'close'] });
await implementation.observe({ name: 's', namespace: 'n', uid: 'u' });
const { isolatedPid } = await import(${JSON.stringify(pathToFileURL(join(REPOSITORY_ROOT, 'adapters', 'isolated', 'process.ts')).href)});
process.stdout.write(String(isolatedPid(implementation)) + '\\n');
if (process.argv[2] === 'hold') setInterval(() => {}, 1_000);
`,
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function childOf(mode: string) {
    const parent = spawnTsx(script, [mode]);
    let out = '';
    parent.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((done) => parent.once('exit', (code) => done(code)));
    while (!out.includes('\n')) {
      await Promise.race([new Promise((r) => setTimeout(r, 20)), exited]);
      if (parent.exitCode !== null && !out.includes('\n')) break;
    }
    return { parent, pid: Number(out.trim()), exited };
  }

  test('its parent killed: the child ends with its channel', async () => {
    const { parent, pid } = await childOf('hold');
    assert.ok(pid > 0 && alive(pid));
    parent.kill('SIGKILL');
    assert.ok(await gone(pid), 'the child outlived its parent');
  });

  test('an idle child does not keep its parent alive, nor outlive it', async () => {
    const { pid, exited } = await childOf('leave');
    assert.ok(pid > 0);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('still running'), 10_000)))]);
    clearTimeout(timer);
    assert.equal(code, 0);
    assert.ok(await gone(pid), 'the child outlived its parent');
  });
});

test('the child inherits node\'s flags, but not a test runner\'s, an inspector\'s, -e or the suite\'s own preloads', () => {
  const tsx = pathToFileURL(join(REPOSITORY_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const own = pathToFileURL(join(REPOSITORY_ROOT, 'steps', 'support', 'interrupt.ts')).href;
  assert.deepEqual(
    inheritedExecArgv(['--import', 'tsx', '--import', tsx, '--test', '--test-reporter', 'spec', '--inspect=9229', '-e', 'x()', '--max-old-space-size=100', '--import', own, `--import=${own}`, '--require', '/elsewhere/hook.cjs']),
    ['--import', 'tsx', '--import', tsx, '--max-old-space-size=100', '--require', '/elsewhere/hook.cjs'],
  );
});
