// Ctrl-C during a run (issue 10, item 4): the run ends within moments, the call in flight given up, and
// writes the reports of what ran: the scenarios that passed, the rest "not run: interrupted (Ctrl-C)", a
// partial verdict, exit 130. Nothing is left behind: no process of the run's group, no temp directory.
// Serial and parallel; Ctrl-C as a terminal sends it (to the whole process group) and `kill -INT` of the
// command alone, which passes it on to its workers; a second Ctrl-C quits at once, without reports.
//
// The target, hangs-after.mjs, is the reference redeemer whose apply() from the fourth call on does not
// return until close(): a few scenarios pass, then a call is in flight, for up to 20 s (its bound), when the
// signal comes. Each run gets a TMPDIR of its own (with tsx's cache linked in), so that anything the run
// leaves in its temp directory is found, whatever other tests do in theirs meanwhile.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { collect, REPOSITORY_ROOT, spawnCli } from '../../harness/cli.ts';
import { groupGone, signalGroup } from '../../harness/process-groups.ts';
import type { ConformanceReport } from '../../reports/yaml-report.ts';

const HANGS_AFTER = join(REPOSITORY_ROOT, 'test', 'fixtures', 'interrupt', 'hangs-after.mjs');
const CLOSE_HANGS = join(REPOSITORY_ROOT, 'test', 'fixtures', 'hanging', 'close-hangs.mjs');
const REASON = 'interrupted (Ctrl-C)';
const REPORTS = ['index.html', 'report.yaml', 'junit.xml', 'summary.md', 'badge.svg', 'cucumber.html', 'messages.ndjson'];
/** Only a run that hangs reaches it. */
const SAFETY_MS = 60_000;
/** The call in flight would wait 20 s (the settle timeout and 5 s): an exit sooner means it was given up. */
const PROMPT_MS = 8_000;
// tsx keeps its cache of compiled files here (a run without it would compile every file again)
const TSX_CACHE = join(tmpdir(), `tsx-${process.geteuid?.() ?? userInfo().username}`);

interface Interruption {
  /** Whom the signal goes to: the process group (a terminal's Ctrl-C) or the command alone (`kill -INT`). */
  to: 'group' | 'pid';
  /** Send it once this many scenarios have passed, and `delayMs` more. */
  afterPassed: number;
  delayMs: number;
  /** A second Ctrl-C, this long after the first. */
  againAfterMs?: number;
}

async function interruptedRun(t: { after(fn: () => void): void; diagnostic(m: string): void }, args: string[], how: Interruption) {
  const dir = mkdtempSync(join(tmpdir(), 'atc-interrupt-'));
  const tmp = mkdtempSync(join(tmpdir(), 'atc-interrupt-tmp-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });
  mkdirSync(TSX_CACHE, { recursive: true });
  symlinkSync(TSX_CACHE, join(tmp, basename(TSX_CACHE)));

  // not --quiet: the progress (one character per scenario, "." for one that passed) says when to interrupt
  const child = spawnCli(['run', '--impl', HANGS_AFTER, '--tags', 'not @slow', ...args, '--report-dir', dir], { env: { NO_COLOR: '1', TMPDIR: tmp } });
  const pgid = child.pid!;
  let progress = '';
  let exitedAt = 0;
  let signalledAt = 0;
  child.stdout!.on('data', (d: Buffer) => (progress += d.toString('utf8')));
  child.once('exit', () => (exitedAt = performance.now()));
  const interrupt = () => (how.to === 'group' ? signalGroup(pgid, 'SIGINT') : process.kill(pgid, 'SIGINT'));
  const result = await collect(child, {
    timeoutMs: SAFETY_MS,
    whileRunning: async () => {
      const passed = () => (progress.split('\n')[0].match(/\./g) ?? []).length;
      while (passed() < how.afterPassed && exitedAt === 0) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, how.delayMs));
      signalledAt = performance.now();
      interrupt();
      if (how.againAfterMs !== undefined) {
        await new Promise((r) => setTimeout(r, how.againAfterMs));
        signalledAt = performance.now();
        signalGroup(pgid, 'SIGINT');
      }
    },
  });
  const msToExit = exitedAt - signalledAt;
  t.diagnostic(`${args.join(' ')}, SIGINT to the ${how.to === 'group' ? 'process group' : 'command alone'}${how.againAfterMs !== undefined ? ', twice' : ''}: exit ${result.code} ${Math.round(msToExit)} ms after the signal`);
  assert.equal(result.timedOut, false, `the run was killed by the safety net\n${result.stdout}\n${result.stderr}`);
  // the command, its workers, tsx's esbuild service, anything the implementation started: all gone
  assert.ok(await groupGone(pgid, 10_000), 'a process of the run is still running after it ended');
  const left = readdirSync(tmp).filter((e) => e !== basename(TSX_CACHE));
  assert.deepEqual(left, [], 'the run left something in its temp directory');
  return { ...result, dir, msToExit };
}

/** What every report of an interrupted run says: what passed, and the rest not run, interrupted. */
function assertInterruptedReports(r: { code: number | null; stdout: string; stderr: string; dir: string; msToExit: number }): void {
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.ok(r.msToExit < PROMPT_MS, `the run took ${Math.round(r.msToExit)} ms to end after the signal`);
  for (const f of REPORTS) assert.ok(existsSync(join(r.dir, f)), `${f} was not written`);
  assert.match(r.stderr, /interrupted: the scenario in progress ends, the rest are not run, the reports are written/);

  // report.yaml: some passed, nothing failed, every other scenario not run because of the interruption
  const report = parse(readFileSync(join(r.dir, 'report.yaml'), 'utf8')) as ConformanceReport;
  const s = report.scenarios;
  assert.ok(s.passed > 0, 'no scenario passed before the interruption');
  assert.equal(s.failed, 0, 'a scenario failed: the interruption is not the implementation failing');
  assert.equal(s.unsupported, 0);
  assert.ok(s.skipped > 0);
  assert.equal(s.passed + s.skipped, s.total);
  assert.equal(report.result.partial, true);
  assert.ok(report.result.interrupted, 'result.interrupted is set');
  assert.equal(report.result.interrupted.reason, REASON);
  assert.equal(report.result.interrupted.scenariosNotRun, s.skipped);
  assert.ok(report.result.interrupted.requirementsNotRun.length > 0);
  assert.equal(report.result.stoppedAnswering, null);

  // the console
  assert.match(r.stdout, new RegExp(`NOT RUN ${s.skipped} scenarios \\(\\d+ requirements?\\): interrupted \\(Ctrl-C\\)`));
  assert.match(r.stdout, /Verdict: .*\(interrupted \(Ctrl-C\): partial, of what ran\)/);

  // junit.xml, index.html, summary.md
  const junit = readFileSync(join(r.dir, 'junit.xml'), 'utf8');
  assert.equal((junit.match(/<skipped message="not run: interrupted \(Ctrl-C\)"\/>/g) ?? []).length, s.skipped);
  assert.match(junit, /<property name="accesstoken-conformance.interrupted" value="interrupted \(Ctrl-C\): \d+ scenarios not run"\/>/);
  const html = readFileSync(join(r.dir, 'index.html'), 'utf8');
  assert.match(html, /<section class="callout interrupted" id="interrupted"><b>Not run: interrupted \(Ctrl-C\)\.<\/b>/);
  assert.ok((html.match(/not run: interrupted \(Ctrl-C\)/g) ?? []).length >= s.skipped);
  const summary = readFileSync(join(r.dir, 'summary.md'), 'utf8');
  assert.match(summary, /^## .* \(partial: interrupted\)$/m);
  assert.match(summary, /> \*\*Not run: interrupted \(Ctrl-C\)\.\*\*/);

  // the call in flight was given up, and its scenario is one of those not run
  const messages = readFileSync(join(r.dir, 'messages.ndjson'), 'utf8');
  assert.match(messages, /not run: interrupted \(Ctrl-C\) \(while it ran\)/);
}

// the runs mostly wait: side by side
describe('Ctrl-C during a run', { concurrency: true }, () => {
  test('serial: Ctrl-C to the process group ends the run at once, with the reports of what ran, exit 130', async (t) => {
    const r = await interruptedRun(t, ['--parallel', '0'], { to: 'group', afterPassed: 1, delayMs: 1_500 });
    assertInterruptedReports(r);
  });

  test('parallel: each worker hears the Ctrl-C to the process group; the reports of what ran, exit 130', async (t) => {
    const r = await interruptedRun(t, ['--parallel', '2'], { to: 'group', afterPassed: 2, delayMs: 1_500 });
    assertInterruptedReports(r);
  });

  test('parallel: kill -INT of the command alone reaches its workers through it', async (t) => {
    const r = await interruptedRun(t, ['--parallel', '2'], { to: 'pid', afterPassed: 2, delayMs: 1_500 });
    assertInterruptedReports(r);
  });

  test('a second Ctrl-C quits at once, without reports', async (t) => {
    // the first (to the command alone: the implementation's process hears none) ends the scenarios; the
    // run then waits on close(), which does not return (its bound is 10 s): the second quits
    const dir = mkdtempSync(join(tmpdir(), 'atc-interrupt-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const args = ['run', '--impl', HANGS_AFTER, '--impl-option', 'close=hangs', '--tags', 'not @slow', '--parallel', '0', '--report-dir', dir];
    const child = spawnCli(args, { env: { NO_COLOR: '1' } });
    const pgid = child.pid!;
    let output = '';
    let exitedAt = 0;
    let signalledAt = 0;
    child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.once('exit', () => (exitedAt = performance.now()));
    const until = async (done: () => boolean) => {
      while (!done() && exitedAt === 0) await new Promise((res) => setTimeout(res, 50));
    };
    const r = await collect(child, {
      timeoutMs: SAFETY_MS,
      whileRunning: async () => {
        await until(() => output.includes('.'));
        process.kill(pgid, 'SIGINT');
        await until(() => output.includes('Ctrl-C again to quit at once'));
        await new Promise((res) => setTimeout(res, 1_000));
        signalledAt = performance.now();
        signalGroup(pgid, 'SIGINT');
      },
    });
    t.diagnostic(`second Ctrl-C: exit ${r.code} ${Math.round(exitedAt - signalledAt)} ms after it`);
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.ok(exitedAt - signalledAt < 3_000, `the run took ${Math.round(exitedAt - signalledAt)} ms to end after the second Ctrl-C`);
    assert.match(r.stderr, /interrupted again: quitting without reports/);
    assert.equal(existsSync(join(dir, 'report.yaml')), false, 'report.yaml was written');
    assert.equal(existsSync(join(dir, 'index.html')), false, 'index.html was written');
    assert.ok(await groupGone(pgid, 10_000), 'a process of the run is still running after it ended');
  });
});
