// The console during a run: our own progress (a line rewritten in place on a terminal, dots elsewhere),
// failures shown once by the suite's summary, cucumber's raw dump only in the reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { runCli } from '../../harness/cli.ts';
import { Progress, progressLine } from '../../cli/progress.ts';

/** A stream that keeps what is written to it. */
function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (c: string) => chunks.push(c), get text() { return chunks.join(''); } };
}

/** The envelopes of one scenario whose steps end with these statuses. */
function scenario(id: string, statuses: string[], willBeRetried = false): messages.Envelope[] {
  const timestamp = { seconds: 0, nanos: 0 };
  return [
    { testCaseStarted: { id, testCaseId: `tc-${id}`, attempt: 0, timestamp } },
    ...statuses.map((status, i) => ({
      testStepFinished: { testCaseStartedId: id, testStepId: `s${i}`, testStepResult: { status, duration: timestamp }, timestamp },
    })),
    { testCaseFinished: { testCaseStartedId: id, willBeRetried, timestamp } },
  ] as messages.Envelope[];
}

test('on a terminal: one line rewritten in place with scenarios done/total, failures so far and elapsed', () => {
  const out = fakeStream(true);
  let now = 1000;
  const progress = new Progress(out, 3, () => now, 0);
  for (const e of scenario('a', ['PASSED', 'PASSED'])) progress.onMessage(e);
  now = 2500;
  for (const e of scenario('b', ['PASSED', 'FAILED', 'SKIPPED'])) progress.onMessage(e);
  for (const e of scenario('c', ['FAILED'], true)) progress.onMessage(e); // retried: not counted
  now = 3200;
  for (const e of scenario('c2', ['PASSED', 'SKIPPED'])) progress.onMessage(e);
  progress.finish();
  progress.finish(); // once only
  const frames = out.text.split('\r\x1b[K').filter(Boolean);
  assert.deepEqual(frames, [
    'scenarios 0/3, 0 failed, 0.0 s',
    'scenarios 1/3, 0 failed, 0.0 s',
    'scenarios 2/3, 1 failed, 1.5 s',
    'scenarios 3/3, 1 failed, 2.2 s',
    'scenarios 3/3, 1 failed, 2.2 s\n',
  ]);
  assert.doesNotMatch(out.text, /\n./, 'no line but the one, ended by a newline');
});

test('not on a terminal: one character per scenario, a newline at the end, no control characters', () => {
  const out = fakeStream(false);
  const progress = new Progress(out, 3, () => 0);
  for (const e of [...scenario('a', ['PASSED']), ...scenario('b', ['PASSED', 'UNDEFINED']), ...scenario('c', ['SKIPPED'])]) progress.onMessage(e);
  progress.finish();
  assert.equal(out.text, '.F-\n');
});

test('elapsed time reads in seconds, then minutes', () => {
  assert.equal(progressLine(5, 40, 2, 61_500), 'scenarios 5/40, 2 failed, 1 min 01 s');
  assert.equal(progressLine(0, 1, 0, 999), 'scenarios 0/1, 0 failed, 1.0 s');
});

test('a broken implementation not on a terminal: dots, the failure named once by the summary, no raw assertion dump', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['run', '--impl', 'broken/follows-redirects', '--requirement', 'AT-REQ-006', '--requirement', 'AT-REQ-003', '--report-dir', dir], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const [first] = r.stdout.split('\n');
  assert.match(first, /^[.F-]+$/, `the first line is the progress: ${first}`);
  assert.equal(first.length, 7, 'one character per scenario');
  assert.equal([...first].filter((c) => c === 'F').length, 4);
  assert.doesNotMatch(r.stdout, /\r|\x1b\[/, 'no terminal control characters in a log');
  assert.doesNotMatch(r.stdout + r.stderr, /AssertionError|\+ expected|- actual|Failures:/, 'cucumber\'s raw dump stays in the reports');
  assert.equal(r.stdout.match(/FAILED AT-REQ-006/g)?.length, 1, 'the requirement is named once');
  assert.equal(r.stdout.match(/A 301 redirect to another grant service is not followed/g)?.length, 1, 'each failed scenario is named once');
  assert.match(r.stdout, /A 301 redirect .*: expected AccessToken "redirected" to fail, but it was redeemed/);
  assert.match(r.stdout, /Verdict: Not conformant/);
  // the detail is kept where it belongs
  assert.match(readFileSync(join(dir, 'messages.ndjson'), 'utf8'), /AssertionError/);
});

test('--quiet prints nothing but the summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['run', '--impl', 'broken/follows-redirects', '--requirement', 'AT-REQ-006', '--quiet', '--report-dir', dir], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stdout.split('\n')[0], '', 'the summary\'s blank first line, no progress');
  assert.match(r.stdout.split('\n')[1], /^family +passed/);
  assert.doesNotMatch(r.stdout, /AssertionError|\+ expected/);
});
