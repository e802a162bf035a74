// The one way tests and the bench start `accesstoken-conformance` (and other TypeScript entry points):
// the sources under tsx, or dist/ once built, as a user runs them.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exited, signalGroup, trackGroup, type Exit } from './process-groups.ts';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');
const CLI_SOURCE = join(REPOSITORY_ROOT, 'cli', 'bin.ts');
const CLI_BUILT = join(REPOSITORY_ROOT, 'dist', 'cli', 'bin.js');
// tsx by its location, so that a child also starts from a directory outside the project
const TSX = import.meta.resolve('tsx');

export interface SpawnOptions {
  /** Run dist/cli/bin.js (npm run build) instead of the sources under tsx. */
  built?: boolean;
  /** Default: the repository root. */
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Lead a process group of its own (default true), killed if this process exits first. */
  detached?: boolean;
}

/** The newest modification time of what dist/ is built from: the sources and the build's own script. */
function newestSource(): number {
  let newest = statSync(join(REPOSITORY_ROOT, 'package.json')).mtimeMs;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['adapters', 'cli', 'fixtures', 'model', 'reports', 'scripts', 'simulator', 'steps']) walk(join(REPOSITORY_ROOT, dir));
  return newest;
}

/** Runs `npm run build` unless dist/ is newer than everything it is built from (a fresh clone's npm ci built it). */
export function ensureFreshBuild(): void {
  if (existsSync(CLI_BUILT) && statSync(CLI_BUILT).mtimeMs >= newestSource()) return;
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPOSITORY_ROOT, stdio: 'pipe' });
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed:\n${String(stdout)}${String(stderr)}`);
  }
}

/** node's arguments for a TypeScript file of the project under tsx. */
export function tsxArgs(file: string, args: string[] = []): string[] {
  return ['--import', TSX, file, ...args];
}

/** node's arguments for the CLI with `args`. */
export function cliArgs(args: string[], { built = false }: Pick<SpawnOptions, 'built'> = {}): string[] {
  return built ? [CLI_BUILT, ...args] : tsxArgs(CLI_SOURCE, args);
}

function spawnNode(nodeArgs: string[], { cwd = REPOSITORY_ROOT, env, detached = true }: SpawnOptions): ChildProcess {
  const child = spawn(process.execPath, nodeArgs, { cwd, env: { ...process.env, ...env }, detached, stdio: ['ignore', 'pipe', 'pipe'] });
  if (detached) trackGroup(child);
  return child;
}

/** Starts a TypeScript entry point of the project (a test's child script) under tsx. */
export function spawnTsx(file: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawnNode(tsxArgs(file, args), options);
}

/** Starts `accesstoken-conformance <args>`. */
export function spawnCli(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawnNode(cliArgs(args, options), options);
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
  wallMs: number;
  /** True when the run was killed, with its group, after `timeoutMs`. */
  timedOut: boolean;
}

export interface RunOptions extends SpawnOptions {
  /** Kill the whole group after this long (default: no bound). */
  timeoutMs?: number;
  /** Called with the child's pid once it runs (to watch it from outside). */
  whileRunning?: (pid: number) => Promise<void> | void;
}

/** Collects a child's output until it ends. */
export async function collect(child: ChildProcess, { timeoutMs, whileRunning }: Omit<RunOptions, keyof SpawnOptions> = {}): Promise<CliResult> {
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  let timedOut = false;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid!, 'SIGKILL');
  }, timeoutMs);
  if (whileRunning) await whileRunning(child.pid!);
  const exit = await exited(child);
  await closed; // the last output
  clearTimeout(timer);
  return { ...exit, stdout, stderr, wallMs: performance.now() - started, timedOut };
}

/** Runs `accesstoken-conformance <args>` to its end. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, options), options);
}

/** Runs `accesstoken-conformance <args>` synchronously (for quick commands: usage errors, list). */
export function runCliSync(args: string[], { built, cwd = REPOSITORY_ROOT, env }: SpawnOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, cliArgs(args, { built }), { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
}
