// Running one command: in a process group of its own (detached), so that a timeout, or the end of the
// run, kills everything it started (`kill(-pid)`), grandchildren included. Nothing it started outlives it:
// members of its group still there when it exits are killed too.
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES, a bad cwd). */
  spawnError?: NodeJS.ErrnoException;
  durationMs: number;
}

export interface CommandRequest {
  argv: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** The caller's own set of running process groups (its close() kills them). */
  groups?: Set<number>;
}

const MAX_STDOUT = 32 * 1024 * 1024;
const MAX_STDERR = 1024 * 1024;

/** Process groups started and not yet ended, across every adapter instance of this process. */
const liveGroups = new Set<number>();

export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already
  }
}

/** Kills every process group still running (close(), or the suite's process exiting). */
export function killAllGroups(): void {
  for (const pid of liveGroups) killGroup(pid);
}

export function liveGroupCount(): number {
  return liveGroups.size;
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // process.kill is synchronous: safe in an exit handler
  process.once('exit', killAllGroups);
}

/** Keeps the start of stdout (the resources) and the end of stderr (the last line is the message). */
class Collector {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number, private readonly keep: 'head' | 'tail') {}
  add(chunk: Buffer): void {
    if (this.keep === 'head' && this.size >= this.limit) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.keep === 'tail' && this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function runCommand(request: CommandRequest): Promise<CommandResult> {
  installExitHook();
  const started = performance.now();
  return new Promise((resolve) => {
    const stdout = new Collector(MAX_STDOUT, 'head');
    const stderr = new Collector(MAX_STDERR, 'tail');
    let timedOut = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closeGrace: NodeJS.Timeout | undefined;

    const child = spawn(request.argv[0], request.argv.slice(1), {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) {
      liveGroups.add(pid);
      request.groups?.add(pid);
    }

    const finish = (spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGrace);
      if (pid !== undefined) {
        killGroup(pid);
        liveGroups.delete(pid);
        request.groups?.delete(pid);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        spawnError,
        durationMs: performance.now() - started,
      });
    };

    child.stdout?.on('data', (c: Buffer) => stdout.add(c));
    child.stderr?.on('data', (c: Buffer) => stderr.add(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      // without a pid the program never started; any later error is followed by 'exit' and 'close'
      if (pid === undefined) finish(e);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // whatever it left running in its group goes with it; then its pipes close
      if (pid !== undefined) killGroup(pid);
      clearTimeout(closeGrace);
      // a grandchild that left the group (setsid) may hold the pipes open: do not wait for it forever
      closeGrace = setTimeout(() => finish(), 1_000);
    });
    child.on('close', () => {
      if (exit !== undefined) finish();
    });
    if (pid !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(pid);
        // the exit and close events follow the kill
        clearTimeout(closeGrace);
        closeGrace = setTimeout(() => finish(), 2_000);
      }, request.timeoutMs);
    }
  });
}
