#!/usr/bin/env node
// The installed command (package.json "bin"): main() with the process's arguments; its answer is the exit code.
import { NATIVE_MATCH_INDICES_MODULE } from './native-match-indices.ts';
import { WORKER_GATE_WAIT_MODULE } from './worker-gate-wait.ts';
import { startKeys } from '../simulator/keys.ts';

// before cucumber loads, here and in the workers it forks (fork() passes on process.execArgv); the gate
// holds a parallel run's workers in order (worker-gate.ts), and is nothing to any other process
process.execArgv.push('--import', NATIVE_MATCH_INDICES_MODULE, '--import', WORKER_GATE_WAIT_MODULE);

// A run's PKI needs two RSA keys (simulator/pki.ts): have OpenSSL make them while the suite loads.
const command = process.argv[2];
if (command === undefined || command === 'run' || command.startsWith('-')) startKeys(2);

const { main } = await import('./main.ts');
const { answering } = await import('../steps/support/bounded.ts');
const { interruption } = await import('../steps/support/interrupt.ts');

// Leave cleanly: nothing of ours should still be running; the exit code is the gate's answer.
process.exitCode = await main(process.argv.slice(2));

// An implementation call the suite stopped waiting for (its bound passed) may still hold the process open
// with what it started (a timer, a socket, a close() that never ends): the reports are written, so leave.
// The timer does not itself keep the process alive: a process with nothing left to do ends as before.
// So may what an interrupted run (Ctrl-C) left in flight.
if (answering.abandoned > 0 || interruption.interrupted) setTimeout(() => process.exit(), 1_000).unref();
