// A command that hangs: the adapter kills its whole process group when timeoutSeconds pass, the token
// reports the timeout, and the run goes on to the next scenario. Nothing is left running or on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cli, describe, leftovers, processesWith, requirementResults } from './support.ts';

test('a hanging command is killed with its whole process group on timeout, and the run goes on', async (t) => {
  const marker = `atc-hang-${randomUUID()}`;
  // the suite's own process has the marker in its arguments too: only processes whose program is Python
  // count (`ps` lines are "<pid> <program> <args>"), and not a pyenv shim (a bash script about to exec python3)
  const program = (line: string) => line.trim().split(/\s+/)[1] ?? '';
  const hanging = async () => (await processesWith(marker)).filter((l) => /python/.test(program(l)) && !/libexec\/pyenv/.test(l));
  let seen: string[] = [];
  const r = await cli(
    t,
    [
      '--impl', 'command',
      '--impl-option', `command=python3 test/fixtures/command/hang.py ${marker}`,
      '--impl-option', 'timeoutSeconds=1',
      // the first expects a redemption, the second a failure: both scenarios run
      '--requirement', 'AT-REQ-004',
      '--requirement', 'AT-TRUST-002',
    ],
    {
      // proves the test is not vacuous: the script and its child sleeper do run
      whileRunning: async () => {
        const deadline = performance.now() + 10_000;
        while (seen.length < 2 && performance.now() < deadline) {
          seen = await hanging();
          await new Promise((done) => setTimeout(done, 50));
        }
      },
    },
  );
  assert.equal(seen.length, 2, `expected hang.py and its child while the run went on, saw: ${seen.join(' | ')}`);
  assert.equal(r.status, 1, describe(r));
  assert.match(r.stdout, /FAILED AT-REQ-004/);
  assert.match(r.stdout, /the command timed out after 1 s; its process group was killed/);
  const results = requirementResults(r);
  // the timeout is an Error: a rule that expects a failure and nothing sent is still judged
  assert.equal(results.get('AT-TRUST-002'), 'passed');
  assert.deepEqual(await hanging(), [], 'a process of the hanging command is still running');
  assert.deepEqual(leftovers(r), []);
});
