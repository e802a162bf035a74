// Process groups for tests and the bench: a child started detached leads a group of its own, so that
// stopping it stops everything it spawned (tsx's esbuild service, a command's own children).
import { execFileSync, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Process groups started here and not yet seen to be empty: killed if this process exits first. */
const groups = new Set<number>();
process.once('exit', () => {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
});

/** Remembers a detached child's group until it is empty, so that it cannot outlive the test process. */
export function trackGroup(child: ChildProcess): void {
  const pgid = child.pid;
  if (pgid === undefined) return;
  groups.add(pgid);
  child.once('exit', () => {
    // what it spawned may outlive it: forget the group only once it is empty
    if (!signalGroup(pgid, 0)) groups.delete(pgid);
  });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => done({ code, signal }));
  });
}

/** Signals the whole process group of a detached child; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Waits until no process of the group is left (true), or `timeoutMs` passes (false). */
export async function groupGone(pgid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  groups.delete(pgid);
  return true;
}

/** `ps -eo pid,args` lines that contain `marker` (this process's own ps excluded). */
export function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.trim());
}
