// Another grant service, the one a redirect points to: a mockttp server that would redeem anything POSTed
// to it. Skupper's redeemers never follow a redirect, so a scenario proves that by showing this service saw
// nothing. mockttp mints a leaf certificate per SNI host name, signed by the CA it is given (the run's CA,
// so the redirect target would verify), with a DNS SAN only: its URL uses host `localhost`, never an IP.
//
// mockttp runs in a worker thread of its own (foreign-service-thread.ts), one per run: its ~0.4 s of
// loading then takes another core, not the thread that runs the scenarios, and a serial run can start
// that load early (ForeignGrantService.warm) without holding up the scenarios meanwhile. A parallel run's
// coordinator keeps the thread for all its workers (ForeignServiceHost), which reach it over loopback HTTP:
// each worker loading mockttp itself cost ~0.7 s of CPU per worker, at the moment the redirect scenarios
// (handed out together) held every worker at once.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { json } from 'node:stream/consumers';
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

/** Where a process's foreign services live: a thread of its own, or the run's host in its coordinator. */
interface ForeignHome {
  /** Asks the home; `holdsProcess` false: the answer is not worth keeping the process alive for. */
  call<T>(call: Call, holdsProcess?: boolean): Promise<T>;
  /** True once the home is gone, and the services it served with it. */
  readonly hasEnded: boolean;
}

/**
 * How much the thread lowers its priority, by its first statement (LOWER_PRIORITY): on Linux a thread has
 * a nice value of its own, and this one takes its creator's + 10. mockttp's load and its first start
 * (~0.6 s of CPU) then run mostly on what the threads the run waits for (the suite's main thread, OpenSSL
 * making the run's keys, the workers starting) leave idle, not on a share of theirs (serial, not @slow:
 * 2.09 -> 1.94 s, medians of 10). Not
 * the lowest: on a machine kept busy by others, a thread at nice 19 gets ~1.5 % of a core and a redirect
 * scenario could wait out its bound; at 10 it gets ~10 %. A redirect scenario that comes before the
 * thread is ready waits for it. Elsewhere (macOS: the nice value is the process's) nothing changes.
 */
export const FOREIGN_THREAD_NICENESS = 10;

const LOWER_PRIORITY = `if (process.platform === 'linux') { try { const os = require('node:os'); os.setPriority(Math.min(19, os.getPriority() + ${FOREIGN_THREAD_NICENESS})); } catch {} }`;

/** The worker thread that hosts this process's foreign services; started on first use, ended with the process. */
class ForeignThread implements ForeignHome {
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
    this.worker = new Worker(`${LOWER_PRIORITY}\n${code}`, { eval: true, execArgv: [], stdout: false, stderr: false });
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

/** How a worker process reaches the run's ForeignServiceHost (a world parameter: plain JSON). */
export interface ForeignHostAddress {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** Sent with every call: no other local process can have the host start servers with the run's CA. */
  secret: string;
}

/** The bound of one call to the host: a start waits for mockttp's load when the run is at its busiest. */
const HOST_CALL_TIMEOUT_MS = 30_000;

/** The run's host, reached over loopback HTTP: one JSON call per request, answered with a ForeignReply. */
class RemoteHome implements ForeignHome {
  readonly hasEnded = false;

  constructor(private readonly address: ForeignHostAddress) {}

  call<T>(call: Call, holdsProcess = true): Promise<T> {
    const body = JSON.stringify(call);
    return new Promise<T>((resolve, reject) => {
      const failed = (e: Error) => reject(new Error(`the foreign grant service's host: ${e.message}`));
      const request = http.request(this.address.url, {
        method: 'POST',
        agent: false,
        timeout: HOST_CALL_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${this.address.secret}` },
      }, (response) => {
        json(response).then(
          (reply) => {
            const { error, value } = reply as ForeignReply;
            if (error !== undefined) reject(new Error(`the foreign grant service: ${error}`));
            else resolve(value as T);
          },
          () => failed(new Error(`answered ${response.statusCode} with no reply`)),
        );
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${HOST_CALL_TIMEOUT_MS / 1000} s`)));
      request.on('error', failed);
      if (!holdsProcess) request.on('socket', (socket) => socket.unref());
      request.end(body);
    });
  }
}

let host: RemoteHome | undefined;

function foreignHome(): ForeignHome {
  return host ?? foreignThread();
}

/**
 * The foreign services' thread, kept by a parallel run's coordinator for all its workers: mockttp loads
 * once per run, in the process that is otherwise idle, instead of once in each worker that meets a
 * redirect. Workers reach it through ForeignGrantService.useHost(host.address).
 */
export class ForeignServiceHost {
  private warmed = false;

  private constructor(
    private readonly server: http.Server,
    private readonly pki: Pki,
    readonly address: ForeignHostAddress,
  ) {}

  /**
   * Starts the loopback endpoint the workers call, for services with certificates of `pki` (the run's).
   * The thread starts at the first call, or at warm().
   */
  static async open(pki: Pki): Promise<ForeignServiceHost> {
    const secret = randomBytes(16).toString('hex');
    const expected = Buffer.from(`Bearer ${secret}`);
    const server = http.createServer((request, response) => {
      const reply = (status: number, r: Omit<ForeignReply, 'id'>) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 0, ...r }));
      };
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(403, { error: 'not a caller of this run' });
      json(request).then(
        (call) =>
          foreignThread().call(call as Call).then(
            (value) => reply(200, { value }),
            (e: unknown) => reply(200, { error: e instanceof Error ? e.message.replace(/^the foreign grant service: /, '') : String(e) }),
          ),
        () => reply(400, { error: 'the call is not JSON' }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // the run ends it (close); should the run fail first, it must not hold the process open
    server.unref();
    const { port } = server.address() as AddressInfo;
    return new ForeignServiceHost(server, pki, { url: `http://127.0.0.1:${port}/`, secret });
  }

  /** Starts the thread (and its load of mockttp) with a service for the run's CA, ahead of the first start (once). */
  warm(): void {
    if (this.warmed) return;
    this.warmed = true;
    ForeignGrantService.prepare(this.pki);
  }

  /** Stops the endpoint, then the thread and every service it still serves. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await ForeignGrantService.shutdown();
  }
}

export class ForeignGrantService {
  private constructor(
    // its own thread: were that thread to end, a new one would know nothing of this service, and its
    // empty request log must not read as "nothing arrived"
    private readonly thread: ForeignHome,
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

  /** From now on this process's foreign services are the run's host's (a parallel run's worker); undefined: its own again. */
  static useHost(address: ForeignHostAddress | undefined): void {
    host = address && new RemoteHome(address);
  }

  /**
   * Has the thread start a service for `pki` ahead of the next start(), and one again after each: the
   * first start in a process takes ~0.4 s that a serial run's redirect scenarios then do not wait out.
   */
  static prepare(pki: Pki): void {
    foreignHome().call({ op: 'prepare', keys: pkiKeys(pki) }, false).catch(() => undefined);
  }

  /** Starts the service on a free port with a rule that answers every POST with a valid redemption. */
  static async start(pki: Pki): Promise<ForeignGrantService> {
    const home = foreignHome();
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
