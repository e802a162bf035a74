// A parallel run's start, put in order. cucumber forks every worker at once, and on 2 cores their starts
// (~0.3 s of CPU each, more with an implementation process each) share the CPU evenly: the workers that
// will wait out the client timeouts, the run's longest waits, are ready no sooner than the rest. The gate
// holds the others at their very start (worker-gate-wait.ts, preloaded before cucumber) until the longest
// waits have begun, so that those start first; the rest have their whole length to catch up.
// The coordinator's half: a loopback port that answers each held worker when it may go.
import { createServer, type Server, type Socket } from 'node:net';
import type { Envelope } from '@cucumber/messages';
import { WORKER_GATE_ENV } from './worker-gate-wait.ts';

export { WORKER_GATE_ENV };

/**
 * The longest the held workers wait, however the first ones fare (a worker that crashes or hangs before
 * its first scenario must not hold the others back): past it, everyone goes.
 */
export const GATE_BOUND_MS = 5_000;

export class WorkerGate {
  private readonly waiting = new Set<Socket>();
  private opened = false;
  private started = 0;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly server: Server,
    /** workers 0..free-1 go at once; the others wait */
    readonly free: number,
    boundMs: number,
  ) {
    server.on('connection', (socket) => {
      socket.on('error', () => undefined);
      if (this.opened) socket.end();
      else {
        this.waiting.add(socket);
        socket.on('close', () => this.waiting.delete(socket));
      }
    });
    this.timer = setTimeout(() => this.open(), boundMs);
    this.timer.unref();
  }

  /** A gate that lets `free` workers start at once and holds the others until as many scenarios have started. */
  static async hold(free: number, { boundMs = GATE_BOUND_MS } = {}): Promise<WorkerGate> {
    const server = createServer();
    server.unref();
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(0, '127.0.0.1', () => listening());
    });
    return new WorkerGate(server, free, boundMs);
  }

  /** What the workers' environment gets: the gate's port and how many go free. */
  get env(): Record<string, string> {
    const { port } = this.server.address() as { port: number };
    return { [WORKER_GATE_ENV]: `${port}:${this.free}` };
  }

  /** Opens once the free workers' first scenarios have started, or as soon as any scenario has ended. */
  onMessage(envelope: Envelope): void {
    if (this.opened) return;
    if (envelope.testCaseStarted) this.started++;
    if (this.started >= this.free || envelope.testCaseFinished || envelope.testRunFinished) this.open();
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** How many workers wait at it now. */
  get held(): number {
    return this.waiting.size;
  }

  /** Lets every held worker go, and any that comes later. */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    clearTimeout(this.timer);
    for (const socket of this.waiting) socket.end();
    this.waiting.clear();
  }

  /** Opens the gate and stops listening (the run is over, or interrupted). */
  close(): void {
    this.open();
    this.server.close();
  }
}
