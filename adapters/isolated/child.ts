// The process a module implementation runs in (adapters/isolated/process.ts starts it): it imports the
// module, calls create(options), answers each forwarded call, and ends with the suite: when its channel
// to the suite closes it exits at once. An uncaught exception or an unhandled rejection ends it as it
// would end any node process, after telling the suite why. Kept small: its start is paid once per run.
import { pathToFileURL } from 'node:url';
import type { FromChild, Shape, ToChild, WireError } from './protocol.ts';

let impl: Record<string, unknown> | undefined;
let dying = false;

function send(message: FromChild): void {
  try {
    process.send!(message);
  } catch (e) {
    // what cannot be cloned (a function in a result): say so instead of answering nothing
    if (message.t === 'result' && message.ok) {
      process.send!({ t: 'result', id: message.id, ok: false, error: wire(new Error(`its result cannot be passed to the suite: ${describe(e)}`)) } satisfies FromChild);
    } else if (message.t === 'result') {
      process.send!({ t: 'result', id: message.id, ok: false, error: { name: 'Error', message: message.error.message } } satisfies FromChild);
    } else throw e;
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function wire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, stack: e.stack, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

function die(reason: string, e: unknown): void {
  if (dying) return;
  dying = true;
  process.stderr.write(`${(e instanceof Error && e.stack) || String(e)}\n`);
  const exit = () => process.exit(1);
  setTimeout(exit, 1_000);
  try {
    process.send!({ t: 'fatal', reason } satisfies FromChild, exit);
  } catch {
    exit();
  }
}

process.on('uncaughtException', (e) => die(`uncaught ${describe(e)}`, e));
process.on('unhandledRejection', (e) => die(`unhandled rejection: ${describe(e)}`, e));
// the suite has gone (or is done with it): nothing here may outlive it
process.on('disconnect', () => process.exit(0));
// A Ctrl-C reaches the whole foreground process group, this process too: the suite decides what happens
// (an interrupted run still calls close(), so the module may clean up), and ends this process after.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);

process.on('message', (message: ToChild) => {
  if (message.t === 'create') void create(message);
  else void call(message.id, message.method, message.args);
});

async function create({ file, options, methods }: Extract<ToChild, { t: 'create' }>): Promise<void> {
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(file).href);
  } catch (e) {
    return send({ t: 'failed', kind: 'load', message: e instanceof Error ? e.message : String(e) });
  }
  if (typeof module.default !== 'function') return send({ t: 'failed', kind: 'no-default', message: '' });
  let made: unknown;
  try {
    made = await (module.default as (o: Record<string, string>) => unknown)(options);
  } catch (e) {
    return send({ t: 'failed', kind: 'create', message: e instanceof Error ? e.message : String(e) });
  }
  const shape: Shape = { isObject: typeof made === 'object' && made !== null, methods: {} };
  if (shape.isObject) {
    impl = made as Record<string, unknown>;
    if (typeof impl.name === 'string') shape.name = impl.name;
    const version = impl.version;
    if (typeof version === 'string' || typeof version === 'number' || typeof version === 'boolean') shape.version = version;
    const features = impl.features;
    if (features !== undefined) {
      shape.features = Array.isArray(features) && features.every((f) => typeof f === 'string') ? [...features] : { invalid: true };
    }
    for (const m of methods) shape.methods[m] = typeof impl[m];
  }
  send({ t: 'ready', shape });
}

async function call(id: number, method: string, args: unknown[]): Promise<void> {
  try {
    const fn = impl?.[method];
    if (typeof fn !== 'function') throw new Error(`the implementation has no ${method}() method`);
    const value: unknown = await fn.apply(impl, args);
    send({ t: 'result', id, ok: true, value });
  } catch (e) {
    send({ t: 'result', id, ok: false, error: wire(e) });
  }
}
