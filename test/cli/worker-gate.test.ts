// A parallel run's start in order (cli/worker-gate.ts, cli/worker-gate-wait.ts): the workers that take the
// client timeouts load first, the others wait at the gate until those scenarios have started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { WORKER_GATE_ENV, WorkerGate } from '../../cli/worker-gate.ts';

const root = join(import.meta.dirname, '../..');
const started = { testCaseStarted: { id: 's', testCaseId: 'c', attempt: 0, timestamp: { seconds: 0, nanos: 0 } } } as Envelope;
const finished = { testCaseFinished: { testCaseStartedId: 's', willBeRetried: false, timestamp: { seconds: 0, nanos: 0 } } } as Envelope;

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A worker's connection to the gate, as worker-gate-wait.ts makes it: `passed` once the gate lets it go. */
async function arrive(gate: WorkerGate): Promise<{ socket: Socket; passed: Promise<void> }> {
  const port = Number(gate.env[WORKER_GATE_ENV].split(':')[0]);
  const socket = connect(port, '127.0.0.1');
  socket.resume();
  const passed = new Promise<void>((go) => socket.on('close', () => go()));
  return { socket, passed };
}

test('a held worker waits until as many scenarios have started as workers go free, then goes', async (t) => {
  const gate = await WorkerGate.hold(2);
  t.after(() => gate.close());
  assert.equal(gate.env[WORKER_GATE_ENV].split(':')[1], '2');
  const worker = await arrive(gate);
  await until('the worker waits at the gate', () => gate.held === 1);
  gate.onMessage(started);
  assert.equal(gate.isOpen, false);
  assert.equal(gate.held, 1, 'one scenario started of two: still held');
  gate.onMessage(started);
  assert.equal(gate.isOpen, true);
  await worker.passed;
});

test('the gate opens as soon as any scenario ends, and a worker that comes later goes at once', async (t) => {
  const gate = await WorkerGate.hold(4);
  t.after(() => gate.close());
  const early = await arrive(gate);
  await until('the worker waits at the gate', () => gate.held === 1);
  gate.onMessage(finished);
  await early.passed;
  const late = await arrive(gate);
  await late.passed;
  assert.equal(gate.held, 0);
});

test('the gate opens after its bound, however the free workers fare', async (t) => {
  const gate = await WorkerGate.hold(1, { boundMs: 50 });
  t.after(() => gate.close());
  const worker = await arrive(gate);
  await worker.passed;
  assert.equal(gate.isOpen, true);
});

/** A node process with the worker's preload, as a cucumber worker starts: what its main script printed. */
function worker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './cli/worker-gate-wait.ts', '-e', `console.log('main', process.env.${WORKER_GATE_ENV} ?? 'no gate variable')`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => child.on('close', done));
  return { output: () => out, exited };
}

test("a held worker's main script starts only once the gate opens, and what it starts does not see the gate", async (t) => {
  const gate = await WorkerGate.hold(1);
  t.after(() => gate.close());
  const held = worker({ ...gate.env, CUCUMBER_WORKER_ID: '1' });
  await until('the worker waits at the gate', () => gate.held === 1);
  assert.equal(held.output(), '', 'the main script ran before the gate opened');
  gate.onMessage(started);
  assert.equal(await held.exited, 0);
  assert.equal(held.output(), 'main no gate variable\n');
});

test('a free worker, a process outside a run and a worker whose coordinator is gone start at once', async (t) => {
  const gate = await WorkerGate.hold(2);
  t.after(() => gate.close());
  const free = worker({ ...gate.env, CUCUMBER_WORKER_ID: '1' });
  const outside = worker({});
  assert.equal(await free.exited, 0);
  assert.equal(await outside.exited, 0);
  assert.equal(free.output(), 'main no gate variable\n');
  assert.equal(gate.held, 0, 'a free worker does not come to the gate');
  const closed = await WorkerGate.hold(1);
  const spec = closed.env;
  closed.close();
  const orphan = worker({ ...spec, CUCUMBER_WORKER_ID: '3' });
  assert.equal(await orphan.exited, 0);
  assert.equal(orphan.output(), 'main no gate variable\n');
});
