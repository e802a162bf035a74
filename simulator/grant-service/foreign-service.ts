// Another grant service, the one a redirect points to: a mockttp server that would redeem anything POSTed
// to it. Skupper's redeemers never follow a redirect, so a scenario proves that by showing this service saw
// nothing. mockttp mints a leaf certificate per SNI host name, signed by the CA it is given (the run's CA,
// so the redirect target would verify), with a DNS SAN only: its URL uses host `localhost`, never an IP.
//
// mockttp runs in a worker thread of its own (foreign-service-thread.ts), one per process: its ~0.4 s of
// loading then takes another core, not the thread that runs the scenarios, and a serial run can start
// that load early (ForeignGrantService.warm) without holding up the scenarios meanwhile.
import { Worker } from 'node:worker_threads';
import { moduleExt } from '../../model/package.ts';
import { pkiKeys, type Pki, type PkiKeys } from '../pki.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `https`, or `http` for a plain request (mockttp's port answers both). */
  protocol: string;
}

/** What the main thread asks of the foreign services' thread, by id. */
export type ForeignCall =
  | { id: number; op: 'ready' }
  | { id: number; op: 'prepare'; keys: PkiKeys }
  | { id: number; op: 'start'; keys: PkiKeys }
  | { id: number; op: 'requests'; server: number }
  | { id: number; op: 'stop'; server: number };

/** The thread's answer to the call with the same id. */
export type ForeignReply = { id: number; value?: unknown; error?: string };

/** A call before it is given its id: Omit over each member of the union, not over the union as one. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Call = WithoutId<ForeignCall>;

/** The worker thread that hosts this process's foreign services; started on first use, ended with the process. */
class ForeignThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; holdsProcess: boolean }>();
  private nextId = 1;
  private ended: Error | undefined;

  constructor(onEnd: () => void) {
    const entry = new URL(`./foreign-service-thread${moduleExt}`, import.meta.url).href;
    // From source (tsx), the thread registers tsx's loader itself (the parent's --import does not reach it),
    // after loading mockttp without it: through the loader's hooks its hundreds of modules load ~4x slower.
    const code = moduleExt === '.ts'
      ? `import(${JSON.stringify(import.meta.resolve('mockttp'))})
          .then(() => import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}))
          .then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`
      : `import(${JSON.stringify(entry)})`;
    this.worker = new Worker(code, { eval: true, execArgv: [], stdout: false, stderr: false });
    this.worker.on('message', (reply: ForeignReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (![...this.pending.values()].some((q) => q.holdsProcess)) this.worker.unref();
      if (reply.error !== undefined) p?.reject(new Error(`the foreign grant service: ${reply.error}`));
      else p?.resolve(reply.value);
    });
    const end = (e: Error) => {
      this.ended ??= e;
      for (const p of this.pending.values()) p.reject(this.ended);
      this.pending.clear();
      onEnd();
    };
    this.worker.on('error', (e) => end(new Error(`the foreign grant service's thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => end(new Error(`the foreign grant service's thread ended (exit code ${code})`)));
    // the thread keeps the process alive only while an answer is awaited (unref after the listeners:
    // adding a 'message' listener refs the worker again)
    this.worker.unref();
  }

  /** Ends the thread, and with it every service it serves. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  get hasEnded(): boolean {
    return this.ended !== undefined;
  }

  /** Asks the thread; `holdsProcess` false: the answer is not worth keeping the process alive for. */
  call<T>(call: Call, holdsProcess = true): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, holdsProcess });
      if (holdsProcess) this.worker.ref();
      this.worker.postMessage({ ...call, id });
    });
  }
}

let thread: ForeignThread | undefined;

function foreignThread(): ForeignThread {
  thread ??= new ForeignThread(() => { thread = undefined; });
  return thread;
}

export class ForeignGrantService {
  private constructor(
    // its own thread: were that thread to end, a new one would know nothing of this service, and its
    // empty request log must not read as "nothing arrived"
    private readonly thread: ForeignThread,
    private readonly server: number,
    readonly port: number,
  ) {}

  /**
   * Starts the thread and its load of mockttp now, so that a later start() finds it ready. For a serial
   * run, whose scenarios leave the other core idle; a parallel run's workers are busy starting up.
   */
  static warm(): void {
    // a run that ends before the thread is ready does not wait for it
    foreignThread().call({ op: 'ready' }, false).catch(() => undefined);
  }

  /**
   * Ends this process's foreign services and their thread at once (a later start() starts a new one). A
   * run needs no such call: the thread never holds a process open.
   */
  static async shutdown(): Promise<void> {
    await thread?.terminate();
  }

  /**
   * Has the thread start a service for `pki` ahead of the next start(), and one again after each: the
   * first start in a process takes ~0.4 s that a serial run's redirect scenarios then do not wait out.
   */
  static prepare(pki: Pki): void {
    foreignThread().call({ op: 'prepare', keys: pkiKeys(pki) }, false).catch(() => undefined);
  }

  /** Starts the service on a free port with a rule that answers every POST with a valid redemption. */
  static async start(pki: Pki): Promise<ForeignGrantService> {
    const home = foreignThread();
    const { server, port } = await home.call<{ server: number; port: number }>({ op: 'start', keys: pkiKeys(pki) });
    return new ForeignGrantService(home, server, port);
  }

  /** `https://localhost:PORT`: mockttp's certificates name the SNI host only, so never an IP address. */
  get url(): string {
    return `https://localhost:${this.port}`;
  }

  /** Every request the service has answered, in arrival order. */
  requests(): Promise<SeenRequest[]> {
    return this.thread.call<SeenRequest[]>({ op: 'requests', server: this.server });
  }

  async stop(): Promise<void> {
    // a thread that ended took its servers with it: nothing is left to stop
    if (this.thread.hasEnded) return;
    await this.thread.call({ op: 'stop', server: this.server });
  }
}
