// An interrupted run inside the suite (steps/support/interrupt.ts): once interrupted, the calls into the
// implementation in flight give up at once (bounded.ts) and so do the waits for a token to settle, no call
// is made any more but close(), which still gets its bound; a coordinator finds its cucumber workers and
// passes the interruption on to them. The whole command is tested in test/cli/interrupt.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Implementation, Observation, Site } from '../../../adapters/contract.ts';
import { SKUPPER_API_VERSION } from '../../../model/resources.ts';
import { waitForSettledToken } from '../../../steps/judging/settle.ts';
import { Answering, bounded } from '../../../steps/support/bounded.ts';
import { cucumberWorkers, forwardToWorkers, InterruptedError, Interruption, interruption } from '../../../steps/support/interrupt.ts';

const never = () => new Promise<never>(() => {});
const site: Site = { name: 'west', namespace: 'west', uid: 'uid-west' };

describe('an interruption', () => {
  test('ends a pause at once, is told to its listeners once, and is undone by reset()', async () => {
    const run = new Interruption();
    let told = 0;
    run.onInterrupt(() => told++);
    const started = performance.now();
    const pause = run.pause(60_000, 'the quiet period');
    setTimeout(() => run.interrupt('SIGINT'), 20);
    await assert.rejects(pause, (e: Error) => e instanceof InterruptedError && e.message === 'the quiet period was given up: the run was interrupted (Ctrl-C)');
    assert.ok(performance.now() - started < 1_000);
    assert.equal(run.interrupt('SIGTERM'), false, 'a second signal interrupts nothing more');
    assert.equal(run.by, 'SIGINT');
    assert.equal(told, 1);
    await assert.rejects(run.pause(1), InterruptedError);
    run.reset();
    assert.equal(run.interrupted, false);
    await run.pause(1);
  });

  test('gives up a call into the implementation in flight, calls nothing more, but lets close() finish', async () => {
    const run = new Interruption();
    const answering = new Answering();
    const started = performance.now();
    const apply = bounded('apply() of "t"', 20_000, never, { answering, interruption: run });
    setTimeout(() => run.interrupt(), 20);
    await assert.rejects(apply, (e: Error) => e instanceof InterruptedError && e.message === 'apply() of "t" was given up: the run was interrupted (Ctrl-C)');
    assert.ok(performance.now() - started < 1_000);
    // left running: counted as abandoned, not as a timeout (the implementation did not fail to answer)
    assert.equal(answering.abandoned, 1);
    assert.equal(answering.stopped, false);
    let called = false;
    await assert.rejects(
      bounded('observe()', 5_000, async () => { called = true; }, { answering, interruption: run }),
      (e: Error) => e instanceof InterruptedError && e.message === 'observe() was not called: the run was interrupted (Ctrl-C)',
    );
    assert.equal(called, false);
    const close = bounded('close()', 1_000, () => new Promise((r) => setTimeout(() => r('closed'), 50)), { answering, interruption: run, evenIfStopped: true });
    assert.equal(await close, 'closed');
  });

  test('ends the wait for a token to settle at once', async () => {
    // an implementation whose token never settles: the wait would last its timeout
    const impl: Implementation = {
      name: 'never-settles',
      async apply() {},
      async observe(): Promise<Observation> {
        return { accessTokens: [{ apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: { name: 't' }, spec: { url: 'https://x', code: 'c', ca: 'CA' } }], secrets: [], links: [] };
      },
    };
    const started = performance.now();
    setTimeout(() => interruption.interrupt(), 50);
    try {
      await assert.rejects(waitForSettledToken(impl, site, 't', { timeoutMs: 30_000 }), InterruptedError);
    } finally {
      interruption.reset();
    }
    assert.ok(performance.now() - started < 2_000, `the wait took ${Math.round(performance.now() - started)} ms`);
  });

  test("a coordinator finds its cucumber workers and passes the interruption on to them", async (t) => {
    // a stand-in worker: a script at cucumber's path for one, that says when it hears the signal
    const dir = mkdtempSync(join(tmpdir(), 'atc-interrupt-unit-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'runtime', 'parallel'), { recursive: true });
    const script = join(dir, 'runtime', 'parallel', 'run_worker.js');
    writeFileSync(script, "process.on('SIGURG', () => { console.log('heard'); process.exit(0); });\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n");
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const worker = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => {
      other.kill('SIGKILL');
      worker.kill('SIGKILL');
    });
    let out = '';
    worker.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(cucumberWorkers(process.pid), [worker.pid]);
    const exited = new Promise((r) => worker.once('exit', r));
    forwardToWorkers();
    assert.equal(await exited, 0);
    assert.match(out, /heard/);
    assert.equal(other.exitCode, null, 'a child that is not a worker is left alone');
  });
});
