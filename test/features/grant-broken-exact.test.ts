// Each broken grant service fails the rules it lists "and no other" (issue 8, acceptance). The
// discrimination test shows each fails what it lists; this one runs each over the whole grant-service
// catalogue and checks that nothing outside its `breaks` failed or warned. Left out, for time: the @slow
// scenarios (a 2 s window waited out) and the concurrency rules (50 redemptions × 5 rounds per scenario),
// which grant-concurrency.test.ts runs 20 times on its own.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { REPOSITORY_ROOT as root } from '../../harness/cli.ts';
import { runSuite } from '../../cli/run.ts';
import { suiteCatalogue } from '../../cli/selection.ts';

const CONCURRENCY_RULES = new Set(['AT-LIMIT-002', 'AT-LIMIT-003']);
const dir = join(root, 'fixtures', 'broken-grant-services');
const reportDir = mkdtempSync(join(tmpdir(), 'accesstoken-conformance-exact-'));
after(() => rmSync(reportDir, { recursive: true, force: true }));

const rules = suiteCatalogue()
  .filter((r) => r.side === 'grant-service' && !CONCURRENCY_RULES.has(r.id))
  .map((r) => r.id);

let support: ISupportCodeLibrary | undefined;

describe('each broken grant service fails only what it lists', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const name = file.replace(/\.ts$/, '');
    test(`broken/${name}`, async () => {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { breaks: string[] };
      const out = await runSuite({
        side: 'grant-service',
        impl: `broken/${name}`,
        implOptions: {},
        tags: 'not @slow',
        requirements: rules,
        reportDir,
        timeoutSeconds: 5,
        quietMs: 0,
        parallel: 0,
        progress: false,
        support,
      });
      support = out.support;
      const notPassed = out.result.requirements.filter((r) => r.result === 'failed' || r.result === 'warning').map((r) => r.id);
      const beyond = notPassed.filter((id) => !module.breaks.includes(id));
      assert.deepEqual(beyond, [], `broken/${name} also fails ${beyond.join(', ')}: list them in its breaks, or narrow its defect`);
      assert.ok(out.result.scenarios.length >= rules.length, `only ${out.result.scenarios.length} scenarios ran`);
    });
  }
});
