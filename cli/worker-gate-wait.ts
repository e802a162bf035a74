// The worker's half of the gate (worker-gate.ts says why): preloaded by every cucumber worker before
// cucumber itself (cli/bin.ts puts it in process.execArgv, which fork() passes on). A held worker connects
// to its coordinator's loopback port and starts loading once the connection ends: the gate opened, or the
// coordinator is gone (then cucumber's own channel ends the worker). Bounded on its own as well. Anything
// else (no gate, a free worker, another process that inherited the flag) goes on at once.
import { connect } from 'node:net';

/** The environment variable that tells a worker where the gate is and whether it is held. */
export const WORKER_GATE_ENV = 'ACCESSTOKEN_CONFORMANCE_WORKER_GATE';
/** GATE_BOUND_MS of worker-gate.ts, and a second for the coordinator to open it. */
const WAIT_BOUND_MS = 6_000;

const spec = process.env[WORKER_GATE_ENV];
// not for what this worker starts in its turn (an implementation's process)
delete process.env[WORKER_GATE_ENV];
const worker = Number(process.env.CUCUMBER_WORKER_ID);
const [port, free] = (spec ?? '').split(':').map(Number);

if (Number.isInteger(port) && Number.isInteger(free) && Number.isInteger(worker) && worker >= free) {
  await new Promise<void>((go) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), WAIT_BOUND_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      go();
    });
    socket.resume();
  });
}

/** This module, for a process to preload with `--import`. */
export const WORKER_GATE_WAIT_MODULE = import.meta.url;
