// Child processes for the end-to-end tests and the Kubernetes bench (not a test file): the reference
// controller and the suite, each started as `accesstoken-conformance` is run by users, in a process group
// of its own so that stopping one stops everything it spawned (tsx's esbuild service included).
import type { ChildProcess } from 'node:child_process';
import { collect, spawnCli } from './cli.ts';
import { exited, groupGone, signalGroup, type Exit } from './process-groups.ts';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConformanceReport } from '../reports/yaml-report.ts';

export { REPOSITORY_ROOT } from './cli.ts';
export { groupGone, processesWith, signalGroup, type Exit } from './process-groups.ts';

export interface CliOptions {
  /** Run dist/cli/bin.js (npm run build) instead of the sources under tsx. */
  built?: boolean;
}

/**
 * A copy of a kubeconfig under a fresh temporary directory: its path is unique to the caller, so the
 * processes given it can be found with `ps` (and told apart from any other run's).
 */
export function privateKubeconfig(kubeconfig: string, label: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  const path = join(dir, 'kubeconfig');
  copyFileSync(kubeconfig, path);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ControllerProcess {
  child: ChildProcess;
  pgid: number;
  /** What it wrote to stderr so far (its log). */
  log(): string;
  exit: Promise<Exit>;
  /** Signals the process group and waits for the controller to exit and the group to be gone. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Starts `accesstoken-conformance controller --kubeconfig K --resync-seconds N` and resolves once it
 * logs that it watches (its caches are filled); rejects when it exits first or takes longer than
 * `readyTimeoutMs`.
 */
export async function startController(
  kubeconfig: string,
  { resyncSeconds = 30, readyTimeoutMs = 60_000, built }: { resyncSeconds?: number; readyTimeoutMs?: number } & CliOptions = {},
): Promise<ControllerProcess> {
  const child = spawnCli(['controller', '--kubeconfig', kubeconfig, '--resync-seconds', String(resyncSeconds)], { built });
  const pgid = child.pid!;
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exit = exited(child);
  const controller: ControllerProcess = {
    child,
    pgid,
    log: () => log,
    exit,
    async stop(signal = 'SIGTERM') {
      signalGroup(pgid, signal);
      const result = await exit;
      await groupGone(pgid);
      return result;
    },
  };
  const ready = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the controller did not start within ${readyTimeoutMs} ms; its log:\n${log}`)), readyTimeoutMs);
    const check = () => {
      if (/controller: watching accesstokens/.test(log)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stderr!.on('data', check);
    void exit.then((e) => {
      clearTimeout(timer);
      fail(new Error(`the controller exited (${e.code ?? e.signal}) before it was ready; its log:\n${log}`));
    });
  });
  try {
    await ready;
  } catch (err) {
    await controller.stop('SIGKILL');
    throw err;
  }
  return controller;
}

export interface SuiteRun {
  child: ChildProcess;
  pgid: number;
  /** stdout so far */
  stdout(): string;
  /** Resolves when the run ended (killed with its group after `timeoutMs`). */
  done: Promise<Exit & { stdout: string; stderr: string; wallMs: number; timedOut: boolean }>;
}

/** Starts `accesstoken-conformance run <args>`; the whole group is killed if it runs past `timeoutMs`. */
export function runSuite(args: string[], { timeoutMs = 300_000, built, env }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } & CliOptions = {}): SuiteRun {
  const child = spawnCli(['run', ...args], { built, env });
  let stdout = '';
  child.stdout!.on('data', (d: string) => (stdout += d));
  return { child, pgid: child.pid!, stdout: () => stdout, done: collect(child, { timeoutMs }) };
}

export function readReport(reportDir: string): ConformanceReport {
  return parseYaml(readFileSync(join(reportDir, 'report.yaml'), 'utf8')) as ConformanceReport;
}

export interface ScenarioRecord {
  name: string;
  tags: string[];
  status: 'passed' | 'failed' | 'skipped' | 'other';
  /** The first failed step's message. */
  message?: string;
  startedMs: number;
  durationMs: number;
  /** Time spent in hooks (the Before hook prepares the scenario's site). */
  hooksMs: number;
}

/** The scenarios of a run, in the order they started, from its messages.ndjson (cucumber messages). */
export function readScenarios(messagesFile: string): ScenarioRecord[] {
  const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;
  const pickles = new Map<string, { name: string; tags: string[] }>();
  const testCases = new Map<string, string>();
  const hookSteps = new Set<string>();
  const started = new Map<string, { testCaseId: string; at: number; statuses: string[]; message?: string; hooksMs: number }>();
  const out: ScenarioRecord[] = [];
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line);
    if (m.pickle) pickles.set(m.pickle.id, { name: m.pickle.name, tags: m.pickle.tags.map((t: { name: string }) => t.name) });
    if (m.testCase) {
      testCases.set(m.testCase.id, m.testCase.pickleId);
      for (const step of m.testCase.testSteps as { id: string; hookId?: string }[]) if (step.hookId) hookSteps.add(step.id);
    }
    if (m.testCaseStarted) started.set(m.testCaseStarted.id, { testCaseId: m.testCaseStarted.testCaseId, at: ms(m.testCaseStarted.timestamp), statuses: [], hooksMs: 0 });
    if (m.testStepFinished) {
      const s = started.get(m.testStepFinished.testCaseStartedId);
      const result = m.testStepFinished.testStepResult;
      s?.statuses.push(result.status);
      if (s && hookSteps.has(m.testStepFinished.testStepId)) s.hooksMs += ms(result.duration);
      if (s && result.status === 'FAILED' && s.message === undefined) s.message = result.exception?.message ?? result.message ?? '';
    }
    if (m.testCaseFinished) {
      const s = started.get(m.testCaseFinished.testCaseStartedId)!;
      if (m.testCaseFinished.willBeRetried) continue;
      const pickle = pickles.get(testCases.get(s.testCaseId)!)!;
      const status = s.statuses.includes('FAILED')
        ? 'failed'
        : s.statuses.every((x) => x === 'PASSED')
          ? 'passed'
          : s.statuses.includes('SKIPPED')
            ? 'skipped'
            : 'other';
      out.push({ name: pickle.name, tags: pickle.tags, status, message: s.message, startedMs: s.at, durationMs: ms(m.testCaseFinished.timestamp) - s.at, hooksMs: s.hooksMs });
    }
  }
  return out.sort((a, b) => a.startedMs - b.startedMs);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
