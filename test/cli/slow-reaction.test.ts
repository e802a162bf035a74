// A background implementation that never changes a status the step refuses: it gets the reaction time
// (REACTION_QUIET_PERIODS quiet periods) to change it, and the failure says so, in words, on the console
// and in summary.md. The implementation is the bundled example with a resync that does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT, runCli } from '../../harness/cli.ts';
import { REACTION_QUIET_PERIODS } from '../../steps/judging/settle.ts';

test('a status the step refuses, left unchanged, is judged after the reaction time, and the failure says how long', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actest-slow-reaction-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const example = pathToFileURL(join(REPOSITORY_ROOT, 'examples', 'minimal-implementation.mjs')).href;
  const module = join(dir, 'never-retries.mjs');
  writeFileSync(
    module,
    `import create from ${JSON.stringify(example)};\n` +
      'export default async function () {\n  const impl = await create();\n  return { ...impl, name: "never-retries", async resync() {} };\n}\n',
  );
  const quietMs = 100;
  const reports = join(dir, 'reports');
  const r = await runCli(['run', '--impl', module, '--requirement', 'AT-COND-004', '--quiet-period', String(quietMs), '--quiet', '--report-dir', reports], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, `a SHOULD rule warns, the verdict stands:\n${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stdout,
    /WARNING AT-COND-004[^\n]*\n {2}- From False to True: expected the Redeemed condition to be True, reason "Ready", message "OK", but it is False, reason "Error", message "[^"]*503[^"]*"/,
  );
  const summary = readFileSync(join(reports, 'summary.md'), 'utf8');
  const waited = /the status was still the one from before the action (\d+) ms after it/.exec(summary);
  assert.ok(waited, `summary.md says how long the status stayed:\n${summary}`);
  assert.ok(Number(waited[1]) >= REACTION_QUIET_PERIODS * quietMs - 2, `it waited the reaction time, not one quiet period: ${waited[1]} ms`);
});
