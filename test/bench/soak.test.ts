// npm run soak: repeated runs compared with the first of their configuration (bench/soak.ts), here on one
// cheap configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collect, REPOSITORY_ROOT, spawnTsx } from '../../harness/cli.ts';

const soak = (args: string[]) => collect(spawnTsx(join(REPOSITORY_ROOT, 'bench', 'soak.ts'), args), { timeoutMs: 300_000 });

test('soak --runs 2 on the reference, serial: two runs, the second compared with the first, none differed', async () => {
  const r = await soak(['--runs', '2', '--impl', 'reference', '--side', 'redeemer', '--mode', 'serial']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^soak: 2 full runs taking 1 configuration in turn /m);
  assert.match(r.stdout, /^ {2}run 2\/2 --impl reference: Conformant, same as the first/m);
  assert.match(r.stdout, /^soak: 2 full runs of 1 configuration; 0 of 1 compared differed from the first; \d+\.\d s$/m);
});

test('soak refuses an implementation it does not bundle, and a bad count', async () => {
  const unknown = await soak(['--runs', '2', '--impl', 'broken/no-such-thing']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--impl broken\/no-such-thing: neither reference nor a bundled broken implementation/);
  const zero = await soak(['--runs', '0']);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--runs 0: expected a whole number/);
});
