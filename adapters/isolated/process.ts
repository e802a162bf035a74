// A module implementation in a process of its own (docs/adapters.md, "Module implementations run in their
// own process"): what it does to its process (process.exit, an uncaught exception, running out of memory)
// ends that process, not the run. The suite gets an object that honours the same contract: the module's
// name, version and features, exactly the contract's methods it has, each call forwarded to the child
// (child.ts) and its result or error (same message) handed back.
//
// When the child ends, every pending call rejects naming what happened and during which call, with the
// last lines it wrote to stderr as evidence; the next call starts a fresh child (create() again, with the
// same options). After RESTARTS_GIVEN_UP_AFTER ends in a row with no call answered in between it is not
// restarted: every further call fails at once. close() asks the module's close() (bounded), then ends the
// child; the child also ends when this process does (its channel closes). Nothing of the child keeps this
// process alive but a call waiting for its answer.
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { codeModule, codeRoot } from '../../model/package.ts';
import { firstLine } from '../../model/text.ts';
import type { FromChild, Shape, ToChild, WireError } from './protocol.ts';

export type { Shape } from './protocol.ts';

const CHILD_ENTRY = codeModule('adapters', 'isolated', 'child');

/** Ends of the child in a row (no call answered in between) after which it is not started again. */
export const RESTARTS_GIVEN_UP_AFTER = 3;
/** How long close() waits for the module's own close() before it kills the child. */
export const CLOSE_TIMEOUT_MS = 15_000;
/** How long the child has to exit once its channel is closed before it is killed. */
const EXIT_GRACE_MS = 1_000;
/** Lines of the child's output kept (in memory only: they are never printed) as a crash's evidence. */
const KEPT_LINES = 20;
/** Lines of it a crash message quotes. */
const QUOTED_LINES = 8;

export const GIVEN_UP = `the implementation's process ended ${RESTARTS_GIVEN_UP_AFTER} times in a row; it is not restarted`;

/** The child could not be made to hold an implementation: one line, as load.ts reports a module's problems. */
export class IsolatedStartError extends Error {
  override name = 'IsolatedStartError';
}

export interface IsolatedOptions {
  /** The module's file. */
  file: string;
  /** Handed to its create(options). */
  options: Record<string, string>;
  /** The contract's methods to look for (required and optional): the proxy has those the module has. */
  methods: string[];
  /** node flags for the child on top of this process's own (tsx among them): `--max-old-space-size=64`. */
  execArgv?: string[];
  /** Default CLOSE_TIMEOUT_MS. */
  closeTimeoutMs?: number;
}

export interface Isolated {
  /** What the suite calls: name, version, features and the module's methods, plus close(), which ends the child. */
  implementation: { name: string; version?: unknown; features?: unknown; close(): Promise<void> } & Record<string, unknown>;
  /** What create() made, for the contract check. */
  shape: Shape;
  /** An object of the same shape as the module's (its methods stand-ins), for contractProblem(). */
  standIn: unknown;
}

/** Starts the module in a child process and calls its create(options). Rejects with IsolatedStartError. */
export async function startIsolated(options: IsolatedOptions): Promise<Isolated> {
  const host = new Host(options);
  const shape = await host.start();
  const implementation: Isolated['implementation'] = { name: shape.name as string, close: () => host.close() };
  if (shape.version !== undefined) implementation.version = shape.version;
  if (shape.features !== undefined) implementation.features = shape.features;
  for (const m of options.methods) {
    if (m !== 'close' && shape.methods[m] === 'function') implementation[m] = (...args: unknown[]) => host.call(m, args);
  }
  hosts.set(implementation, host);
  return { implementation, shape, standIn: standIn(shape) };
}

/** The child process behind an isolated implementation, while one runs (for tests). */
export function isolatedPid(implementation: object): number | undefined {
  return hosts.get(implementation)?.pid;
}

const hosts = new WeakMap<object, Host>();

function standIn(shape: Shape): unknown {
  if (!shape.isObject) return null;
  const o: Record<string, unknown> = { name: shape.name, version: shape.version };
  if (shape.features !== undefined) o.features = Array.isArray(shape.features) ? shape.features : 'not a list';
  for (const [m, type] of Object.entries(shape.methods)) {
    if (type === 'function') o[m] = () => undefined;
    else if (type !== 'undefined') o[m] = type;
  }
  return o;
}

/**
 * node's flags of this process that a child should have too: tsx's loader, memory limits. Not a test
 * runner's, an inspector's or -e, nor the suite's own preloads (a module of the suite's code root but not
 * of its node_modules, such as the CLI's interrupt handling for cucumber's workers): the child needs none.
 */
export function inheritedExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const withValue = new Set(['-e', '--eval', '-p', '--print', '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-skip-pattern', '--test-concurrency', '--test-shard', '--test-timeout', '--inspect-port', '--watch-path']);
  const preloads = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const name = flag.split('=')[0];
    if (withValue.has(name) && !flag.includes('=')) {
      i++;
      continue;
    }
    if (withValue.has(name) || /^--(test|watch|inspect|debug)/.test(name) || ['-i', '--interactive', '-c', '--check'].includes(name)) continue;
    if (preloads.has(name)) {
      const value = flag.includes('=') ? flag.slice(name.length + 1) : argv[i + 1];
      if (value !== undefined && suitesOwn(value)) {
        if (!flag.includes('=')) i++;
        continue;
      }
    }
    out.push(flag);
  }
  return out;
}

/** A module of the suite's own code (not a dependency's): by path or file URL. */
function suitesOwn(specifier: string): boolean {
  let path = specifier;
  if (specifier.startsWith('file:')) {
    try {
      path = fileURLToPath(specifier);
    } catch {
      return false;
    }
  }
  if (!isAbsolute(path)) return false;
  const inside = relative(codeRoot, path);
  return !inside.startsWith('..') && !isAbsolute(inside) && !inside.split(sep).includes('node_modules');
}

// Children still running when this process exits are killed (their channel's closing ends them too,
// but an exit handler is immediate).
const running = new Set<ChildProcess>();
let exitHandler = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHandler) {
    exitHandler = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One child process: a life of the implementation, from create() to its end. */
class Life {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lines: string[] = [];
  /** V8's "FATAL ERROR: …" line (running out of memory), which the native stack after it would push out. */
  private fatalLine: string | undefined;
  private fatal: string | undefined;
  private creating: { resolve(shape: Shape): void; reject(e: Error): void } | undefined;
  /** Set once it has ended: why. */
  endedBecause: string | undefined;
  /** Ended on purpose (close()), not a crash. */
  private ending = false;
  readonly ended: Promise<void>;
  private markEnded!: () => void;
  /** Told when it ends of itself, with what the message of a call would say. */
  onCrash: (reason: string, evidence: string, idle: boolean) => void = () => undefined;

  constructor(options: IsolatedOptions) {
    this.ended = new Promise((done) => (this.markEnded = done));
    this.child = fork(CHILD_ENTRY, [], {
      execArgv: [...inheritedExecArgv(), ...(options.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    track(this.child);
    this.keep(this.child.stdout!, false);
    this.keep(this.child.stderr!, true);
    this.child.on('message', (m: FromChild) => this.onMessage(m));
    this.child.on('error', (e) => {
      // the process could not be started (or a message not sent: its end says why)
      if (this.child.pid === undefined) this.finish(`it could not be started: ${e.message}`);
    });
    const outputClosed = Promise.all([this.child.stdout!, this.child.stderr!].map((s) => new Promise((closed) => s.once('close', closed))));
    let exited = false;
    const closeSoon = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      // the last output and the reason it sent arrive on streams of their own: wait for them, briefly
      const timer = setTimeout(() => this.finish(this.reason(code, signal)), 300);
      const done = () => {
        clearTimeout(timer);
        this.finish(this.reason(code, signal));
      };
      this.child.once('close', done);
      // ended on purpose, there is no reason to wait for, only output: and after disconnect(), which end()
      // uses, node never emits the process's 'close' (its channel is not counted closed), so every close()
      // waited the 300 ms out
      if (this.ending) void outputClosed.then(done);
    };
    this.child.once('exit', closeSoon);
    this.updateRef();
  }

  get alive(): boolean {
    return this.endedBecause === undefined;
  }

  create(file: string, options: Record<string, string>, methods: string[]): Promise<Shape> {
    return new Promise<Shape>((resolve, reject) => {
      this.creating = { resolve, reject };
      this.updateRef();
      this.send({ t: 'create', file, options, methods });
    });
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    if (!this.alive) return Promise.reject(boundaryError(`${method}() was not called: the implementation's process has ended (${this.endedBecause})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.updateRef();
      this.send({ t: 'call', id, method, args });
    });
  }

  /** Ends the child on purpose: its channel closed (it exits), then SIGKILL if it has not within the grace. */
  async end(): Promise<void> {
    if (!this.alive) return;
    this.ending = true;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.ended;
    clearTimeout(timer);
  }

  private send(message: ToChild): void {
    try {
      this.child.send(message, (e) => {
        if (e) this.sendFailed(message, e);
      });
    } catch (e) {
      this.sendFailed(message, e as Error);
    }
  }

  /** A message that cannot be sent: its arguments cannot be cloned, or the child is gone (its end says so). */
  private sendFailed(message: ToChild, e: Error): void {
    if (!this.child.connected) return;
    if (message.t === 'call') this.settle(message.id, { ok: false, error: { name: 'Error', message: `its arguments cannot be passed to the implementation's process: ${e.message}` } });
    else this.creating?.reject(new IsolatedStartError(`create() failed: its options cannot be passed to the implementation's process: ${e.message}`));
  }

  private onMessage(m: FromChild): void {
    switch (m.t) {
      case 'ready':
        this.creating?.resolve(m.shape);
        this.creating = undefined;
        break;
      case 'failed':
        this.creating?.reject(new IsolatedStartError(startProblem(m.kind, m.message)));
        this.creating = undefined;
        break;
      case 'result':
        this.settle(m.id, m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
        break;
      case 'fatal':
        this.fatal = m.reason;
        break;
    }
    this.updateRef();
  }

  private settle(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: WireError }): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    this.updateRef();
    if (outcome.ok) call.resolve(outcome.value);
    else call.reject(rebuild(outcome.error));
  }

  /** A call waiting for its answer keeps this process alive, as an implementation's own work in it would; an idle child does not. */
  private updateRef(): void {
    // the process handle too: its exit must be seen while a call waits, even once the channel has closed
    const channel = this.child.channel as { ref?(): void; unref?(): void } | null | undefined;
    if (this.alive && (this.pending.size > 0 || this.creating)) {
      channel?.ref?.();
      this.child.ref();
    } else {
      channel?.unref?.();
      this.child.unref();
    }
  }

  private keep(stream: Readable, isStderr: boolean): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) this.line(line, isStderr);
    });
    stream.on('end', () => {
      if (partial) this.line(partial, isStderr);
      partial = '';
    });
    (stream as Readable & { unref?(): void }).unref?.();
  }

  private line(text: string, isStderr: boolean): void {
    const line = text.trimEnd();
    if (line.trim() === '') return;
    if (isStderr && /^FATAL ERROR: /.test(line)) this.fatalLine = line;
    this.lines.push(isStderr ? line : `(stdout) ${line}`);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
  }

  private reason(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.fatal) return this.fatal;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    if (this.fatalLine && /heap out of memory|heap limit/i.test(this.fatalLine)) return `it ran out of memory (${how})`;
    return how;
  }

  /** The last lines it wrote (stderr, and stdout marked so), V8's fatal line kept in view. */
  evidence(): string {
    let shown = this.lines.slice(-QUOTED_LINES);
    if (this.fatalLine && !shown.includes(this.fatalLine)) shown = [this.fatalLine, ...shown.slice(-(QUOTED_LINES - 1))];
    return shown.length ? `\nits last lines of output:\n${shown.map((l) => `  ${l}`).join('\n')}` : '';
  }

  private finish(reason: string): void {
    if (!this.alive) return;
    this.endedBecause = reason;
    running.delete(this.child);
    const evidence = this.evidence();
    const creating = this.creating;
    this.creating = undefined;
    creating?.reject(new IsolatedStartError(`create() failed: the implementation's process ended during create(): ${reason}`));
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const c of calls) {
      c.reject(boundaryError(this.ending ? `${c.method}() did not return: the implementation was closed` : `the implementation's process ended during ${c.method}(): ${reason}${evidence}`));
    }
    if (!this.ending && !creating) this.onCrash(reason, evidence, calls.length === 0);
    this.updateRef();
    this.markEnded();
  }
}

/**
 * An error of the boundary's own (a crash, a call not made): its message says everything, and a stack
 * through this file would only suggest a fault of the suite's.
 */
function boundaryError(message: string): Error {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  return e;
}

function startProblem(kind: 'load' | 'no-default' | 'create', message: string): string {
  if (kind === 'load') return `the module could not be loaded: ${firstLine(message)}`;
  if (kind === 'no-default') return 'the module has no default export function create(options)';
  return `create() failed: ${firstLine(message)}`;
}

function rebuild(w: WireError): Error {
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  if (w.code !== undefined) (e as Error & { code?: unknown }).code = w.code;
  return e;
}

/** The implementation across its lives: restarts after a crash, gives up after too many in a row, closes. */
class Host {
  private life: Life | undefined;
  private starting: Promise<Life> | undefined;
  private crashesInARow = 0;
  private gaveUp = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** A crash while no call was waiting: the next call reports it (then the one after starts afresh). */
  private idleCrash: Error | undefined;
  private lastCall = 'create';
  private hasClose = false;

  constructor(private readonly options: IsolatedOptions) {}

  get pid(): number | undefined {
    return this.life?.alive ? this.life.child.pid : undefined;
  }

  /** The first life: its problems are the module's (IsolatedStartError), not crashes. */
  async start(): Promise<Shape> {
    const { life, shape } = await this.spawn();
    this.hasClose = shape.methods.close === 'function';
    this.adopt(life);
    return shape;
  }

  private async spawn(): Promise<{ life: Life; shape: Shape }> {
    const life = new Life(this.options);
    try {
      const shape = await life.create(this.options.file, this.options.options, this.options.methods);
      return { life, shape };
    } catch (e) {
      await life.end();
      throw e;
    }
  }

  private adopt(life: Life): void {
    this.life = life;
    life.onCrash = (reason, evidence, idle) => {
      if (this.life === life) this.life = undefined;
      this.crashesInARow++;
      if (this.crashesInARow >= RESTARTS_GIVEN_UP_AFTER) this.gaveUp = true;
      if (idle) this.idleCrash = boundaryError(`the implementation's process ended between calls (the last was ${this.lastCall}()): ${reason}${evidence}`);
    };
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) throw boundaryError(`${method}() was not called: the implementation was closed`);
    if (this.idleCrash) {
      const e = this.idleCrash;
      this.idleCrash = undefined;
      throw e;
    }
    if (this.gaveUp) throw boundaryError(GIVEN_UP);
    const life = this.life ?? (await this.restart(method));
    this.lastCall = method;
    const value = await life.call(method, args);
    this.crashesInARow = 0;
    return value;
  }

  /** A fresh child after a crash, shared by the calls that find none; a failed start counts as a crash. */
  private restart(method: string): Promise<Life> {
    this.starting ??= this.spawn()
      .then(({ life }) => {
        if (this.closed) {
          void life.end();
          throw boundaryError(`${method}() was not called: the implementation was closed`);
        }
        this.adopt(life);
        return life;
      })
      .catch((e: unknown) => {
        if (!this.closed) {
          this.crashesInARow++;
          if (this.crashesInARow >= RESTARTS_GIVEN_UP_AFTER) this.gaveUp = true;
        }
        throw e instanceof IsolatedStartError ? boundaryError(`the implementation could not be started again after its process ended: ${e.message}`) : e;
      })
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    this.idleCrash = undefined;
    const life = this.life ?? (await this.starting?.catch(() => undefined));
    this.life = undefined;
    if (!life?.alive) return;
    let failure: unknown;
    if (this.hasClose) {
      const ms = this.options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          life.call('close', []),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(boundaryError(`close() did not return within ${ms} ms: the implementation's process was killed`)), ms);
          }),
        ]);
      } catch (e) {
        failure = e;
      } finally {
        clearTimeout(timer);
      }
    }
    await life.end();
    if (failure) throw failure;
  }
}
