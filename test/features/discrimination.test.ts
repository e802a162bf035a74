// Proving the suite discriminates (issue 3 §4, issue 8 §6), on both sides: every rule in the catalogue is
// passed by the reference of its side and failed by at least one deliberately broken implementation of
// that side — the reference with one behaviour changed — that declares it in `breaks`. Redeemer rules are
// broken by fixtures/broken (MUST) and test/fixtures/broken (SHOULD only), grant-service rules by
// fixtures/broken-grant-services (MUST) and test/fixtures/broken-grant-services (SHOULD only), run with
// `--side grant-service`. A rule added without such a broken implementation fails this test.
//
// Speed: the runs share one process and one loaded support library (cucumber imports the step modules
// only once per process), so each broken implementation costs a few scenarios, not a process start. The
// slow rules (a grant service that never answers; a wait of a second; a grant's 2 s window) run in child
// processes alongside.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { collect, REPOSITORY_ROOT as root, runCli, spawnTsx } from '../../harness/cli.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { SIDES, type Side } from '../../adapters/contract.ts';
import { featuresDir } from '../../cli/run.ts';
import { loadCatalogue, REQUIREMENT_ID } from '../../reports/catalogue.ts';
import type { RunResult } from '../../reports/results.ts';
import { runInProcess } from './in-process.ts';
import type { ChildResult, ChildRun } from './run-suite-child.ts';


/** Rules no broken implementation here breaks, each with the reason and where it is proved instead. */
export const PROVED_ELSEWHERE: Record<string, string> = {
  'AT-TRUST-004':
    'proved by the command-adapter fixture (test/fixtures/command/redeem.py, which can skip only the validity-date ' +
    "check with OpenSSL's X509_V_FLAG_NO_CHECK_TIME): Node's TLS offers no such flag, and accepting an expired " +
    'certificate otherwise means switching verification off, which this project never does in TypeScript',
};

interface Broken {
  name: string;
  /** the side it is an implementation of (`--side`) */
  side: Side;
  /** the `--impl` value */
  impl: string;
  /**
   * Bundled: `--impl broken/<name>`, breaks a MUST rule, so a run exits 1 (redeemers in fixtures/broken,
   * grant services in fixtures/broken-grant-services). The others, loaded by module path, break SHOULD
   * rules only, so a run exits 0 with warnings (test/fixtures/broken, test/fixtures/broken-grant-services).
   */
  bundled: boolean;
  breaks: string[];
  /**
   * Set (to the reason) by a fixture whose defect reaches every rule of a kind, such as one that reports
   * Ready whatever happened: what it fails is shown, but it is no rule's proof (issue 9 §7). Each rule must
   * be failed by a fixture whose one defect is a plausible mistake about that rule's subject.
   */
  broad?: string;
}

/** Every module of the directory that default-exports create(options); each must say what it breaks. */
async function brokenIn(dir: string, side: Side, bundled: boolean): Promise<Broken[]> {
  const out: Broken[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown; breaks?: unknown; broad?: unknown };
    if (typeof module.default !== 'function') continue; // a helper (none in these folders; kept for safety)
    const name = file.replace(/\.ts$/, '');
    assert.ok(
      Array.isArray(module.breaks) && module.breaks.length > 0 && module.breaks.every((id) => typeof id === 'string'),
      `${dir}/${file} exports no \`breaks\`: the requirement IDs it must fail`,
    );
    assert.ok(module.broad === undefined || (typeof module.broad === 'string' && module.broad !== ''), `${dir}/${file}: \`broad\` is the reason, a string`);
    out.push({ name, side, impl: bundled ? `broken/${name}` : join(dir, file), bundled, breaks: module.breaks as string[], broad: module.broad as string | undefined });
  }
  return out;
}

/** Requirements whose every scenario is tagged @slow: a `not @slow` run leaves them out. */
function slowOnlyRequirements(): Set<string> {
  const out = new Set<string>();
  const isSlow = (tags: readonly { name: string }[]) => tags.some((t) => t.name === '@slow');
  for (const file of readdirSync(featuresDir).filter((f) => f.endsWith('.feature'))) {
    const parser = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher());
    const feature = parser.parse(readFileSync(join(featuresDir, file), 'utf8')).feature;
    for (const rule of (feature?.children ?? []).map((c) => c.rule).filter((r) => r !== undefined)) {
      const id = rule.tags.map((t) => t.name.slice(1)).find((t) => REQUIREMENT_ID.test(t));
      const scenarios = rule.children.map((c) => c.scenario).filter((s) => s !== undefined);
      const slow = isSlow(feature!.tags) || isSlow(rule.tags);
      if (id && scenarios.every((s) => slow || isSlow(s.tags) || (s.examples.length > 0 && s.examples.every((e) => isSlow(e.tags))))) out.add(id);
    }
  }
  return out;
}

/** The child processes still running: a filtered test run (--test-name-pattern) need not wait for them. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('close', () => children.delete(child));
  return child;
}

/** Seconds a run waits for an outcome: the redeemer side as the CLI's default; a grant service answers and
 * writes its status at once (the reference and every broken one here), so its failures need not wait long. */
const TIMEOUT_SECONDS: Record<Side, number> = { redeemer: 15, 'grant-service': 5 };

/** One run of the suite in a child process (run-suite-child.ts). */
async function runInChild(run: ChildRun): Promise<ChildResult> {
  const r = await collect(track(spawnTsx(join(root, 'test/features/run-suite-child.ts'), [JSON.stringify(run)])));
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildResult;
  } catch {
    throw new Error(`the child run ${JSON.stringify(run)} ended with ${r.code} and no result:\n${r.stdout}\n${r.stderr}`);
  }
}

/** The CLI as users run it. */
async function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

const catalogue = loadCatalogue(featuresDir);
const levels = new Map(catalogue.map((r) => [r.id, r.level]));
const sides = new Map(catalogue.map((r) => [r.id, r.side]));
const slowOnly = slowOnlyRequirements();
const slowOnlyOf = (side: Side) => [...slowOnly].filter((id) => sides.get(id) === side).sort();
/** Where each side's broken implementations live: bundled (a MUST rule broken), and SHOULD rules only. */
const BROKEN_DIRS: Record<Side, { bundled: string; shouldOnly: string }> = {
  redeemer: { bundled: 'fixtures/broken', shouldOnly: 'test/fixtures/broken' },
  'grant-service': { bundled: 'fixtures/broken-grant-services', shouldOnly: 'test/fixtures/broken-grant-services' },
};
const brokenImplementations = [
  ...(await Promise.all(
    SIDES.flatMap((side) => [brokenIn(join(root, BROKEN_DIRS[side].bundled), side, true), brokenIn(join(root, BROKEN_DIRS[side].shouldOnly), side, false)]),
  )).flat(),
];
/** Mutants whose rules need the slow scenarios run in a child process, the rest in this one. */
const needsSlow = (m: Broken) => m.breaks.some((id) => slowOnly.has(id));
/** A run exits 1 exactly when a MUST rule fails. */
const breaksMust = (m: Broken) => m.breaks.some((id) => levels.get(id) === 'MUST');
const label = (m: Broken) => `${m.side === 'grant-service' ? 'grant service ' : ''}${m.bundled ? 'broken/' : ''}${m.name}`;
const reportDir = mkdtempSync(join(tmpdir(), 'accesstoken-conformance-discrimination-'));

function runHere(side: Side, impl: string, requirements: string[], tags: string | undefined): Promise<{ result: RunResult; exitCode: number }> {
  return runInProcess({ side, impl, requirements, tags, reportDir, timeoutSeconds: TIMEOUT_SECONDS[side] });
}

// The child processes run alongside the in-process runs; each test awaits its own. The two that mostly
// wait (a grant service that never answers: 10 s for the reference, 20 s for no-timeout) start at once,
// the others once this process's own reference runs, which they would slow down, are over.
const slowBrokenRuns = new Map<Broken, Promise<ChildResult>>();
const waitsLong = (m: Broken) => m.breaks.includes('AT-REQ-007');
const referenceSlow = new Map<Side, Promise<ChildResult>>();
const childRun = (m: Broken) => runInChild({ side: m.side, impl: m.impl, requirements: m.breaks, timeoutSeconds: TIMEOUT_SECONDS[m.side] });
before(() => {
  referenceSlow.set('redeemer', runInChild({ side: 'redeemer', impl: 'reference', tags: '@slow' }));
  for (const m of brokenImplementations.filter(waitsLong)) slowBrokenRuns.set(m, childRun(m));
  for (const p of [...referenceSlow.values(), ...slowBrokenRuns.values()]) p.catch(() => undefined);
});
let redirectsCli: ReturnType<typeof cli> | undefined;
let grantCli: ReturnType<typeof cli> | undefined;
function startBackground() {
  if (!referenceSlow.has('grant-service')) {
    referenceSlow.set('grant-service', runInChild({ side: 'grant-service', impl: 'reference', tags: '@slow', timeoutSeconds: TIMEOUT_SECONDS['grant-service'] }));
  }
  for (const m of brokenImplementations.filter(needsSlow)) {
    if (!slowBrokenRuns.has(m)) slowBrokenRuns.set(m, childRun(m));
  }
  redirectsCli ??= cli(['run', '--impl', 'broken/follows-redirects', '--quiet', '--tags', 'not @slow', '--quiet-period', '0', '--report-dir', join(reportDir, 'cli')]);
  grantCli ??= cli(['run', '--side', 'grant-service', '--impl', 'broken/accepts-tls12', '--quiet', '--tags', 'not @slow', '--quiet-period', '0', '--report-dir', join(reportDir, 'cli-grant')]);
  for (const p of [redirectsCli, grantCli, ...referenceSlow.values(), ...slowBrokenRuns.values()]) p.catch(() => undefined);
}

after(() => {
  for (const child of children) child.kill();
  rmSync(reportDir, { recursive: true, force: true });
});

describe('the suite discriminates', () => {
  for (const side of SIDES) {
    test(`every ${side} rule is broken by a broken ${side === 'redeemer' ? 'implementation' : 'grant service'}, or proved elsewhere for a stated reason`, () => {
      const ofSide = brokenImplementations.filter((m) => m.side === side);
      // only a specific fixture proves a rule: one whose single defect is about that rule's subject
      const broken = new Set(ofSide.filter((m) => !m.broad).flatMap((m) => m.breaks));
      for (const id of [...broken, ...Object.keys(PROVED_ELSEWHERE)]) assert.ok(levels.has(id), `${id} is not in the catalogue`);
      for (const m of ofSide) {
        const other = m.breaks.filter((id) => sides.get(id) !== side);
        assert.deepEqual(other, [], `${label(m)} is a ${side} and claims to break rules of the other side`);
      }
      const where = `${BROKEN_DIRS[side].bundled} (MUST) or ${BROKEN_DIRS[side].shouldOnly} (SHOULD)`;
      const unproved = catalogue.filter((r) => r.side === side).map((r) => r.id).filter((id) => !broken.has(id) && !PROVED_ELSEWHERE[id]);
      const onlyBroad = unproved.filter((id) => ofSide.some((m) => m.broad && m.breaks.includes(id)));
      assert.deepEqual(onlyBroad, [], `${onlyBroad.join(', ')} ${onlyBroad.length === 1 ? 'is' : 'are'} failed only by a broad fixture (${ofSide.filter((m) => m.broad).map(label).join(', ')}): add a fixture whose one defect is about the rule's subject to ${where}`);
      assert.deepEqual(unproved, [], `no broken implementation breaks ${unproved.join(', ')}: add one to ${where}`);
    });
  }

  test('no rule is listed as proved elsewhere that a broken implementation breaks', () => {
    const broken = new Set(brokenImplementations.filter((m) => !m.broad).flatMap((m) => m.breaks));
    for (const id of Object.keys(PROVED_ELSEWHERE)) assert.ok(!broken.has(id), `${id} is broken by a broken implementation now: drop it from PROVED_ELSEWHERE`);
  });

  // Issue 8's acceptance: each bundled broken implementation (`--impl broken/<name>`) exits 1.
  for (const side of SIDES) {
    const what = side === 'redeemer' ? 'redeemers' : 'grant services';
    test(`bundled broken ${what} break a MUST rule; the others break SHOULD rules only`, () => {
      const ofSide = brokenImplementations.filter((x) => x.side === side);
      assert.ok(ofSide.some((m) => m.bundled) && ofSide.some((m) => !m.bundled), `broken ${what} in both ${BROKEN_DIRS[side].bundled} and ${BROKEN_DIRS[side].shouldOnly}`);
      for (const m of ofSide) {
        if (m.bundled) assert.ok(breaksMust(m), `broken/${m.name} breaks no MUST rule: move it to ${BROKEN_DIRS[side].shouldOnly}`);
        else assert.ok(!breaksMust(m), `${m.name} breaks MUST rules: move it to ${BROKEN_DIRS[side].bundled}`);
      }
    });
  }

  // First the runs in this process, while the child processes wait out their slow scenarios.
  for (const side of SIDES) {
    test(`the ${side} reference passes every ${side} rule but the slow ones in a "not @slow" run`, async () => {
      const run = runHere(side, 'reference', [], 'not @slow');
      const { result, exitCode } = await (side === SIDES[SIDES.length - 1] ? run.finally(startBackground) : run);
      assert.equal(exitCode, 0);
      assert.equal(result.options.side, side);
      assert.deepEqual(result.requirements.filter((r) => r.side !== side).map((r) => r.id), [], 'a run judges one side');
      const notPassed = result.requirements.filter((r) => r.result !== 'passed' && !slowOnly.has(r.id)).map((r) => `${r.id}: ${r.result}`);
      assert.deepEqual(notPassed, []);
      const leftOut = result.requirements.filter((r) => r.result === 'not-run').map((r) => r.id);
      assert.deepEqual(leftOut.sort(), slowOnlyOf(side), 'a "not @slow" run leaves out exactly the rules whose scenarios are all @slow');
    });
  }

  const brokenTest = (m: Broken) =>
    test(`${label(m)} fails ${m.breaks.join(', ')} (${breaksMust(m) ? 'exit 1' : 'exit 0 with warnings'})`, async () => {
      let exitCode: number;
      let outcome: (id: string) => string | undefined;
      if (needsSlow(m)) {
        startBackground();
        const r = await slowBrokenRuns.get(m)!;
        exitCode = r.exitCode;
        outcome = (id) => r.requirements[id];
      } else {
        const r = await runHere(m.side, m.impl, m.breaks, 'not @slow');
        exitCode = r.exitCode;
        outcome = (id) => r.result.requirements.find((q) => q.id === id)?.result;
      }
      const missed = m.breaks
        .map((id) => ({ id, want: levels.get(id) === 'MUST' ? 'failed' : 'warning', got: outcome(id) }))
        .filter((x) => x.got !== x.want)
        .map((x) => `${x.id}: ${x.got}, expected ${x.want}`);
      assert.deepEqual(missed, [], `the suite did not catch ${label(m)}`);
      assert.equal(exitCode, breaksMust(m) ? 1 : 0);
    });

  for (const m of brokenImplementations.filter((x) => !needsSlow(x))) brokenTest(m);

  // Then the runs in child processes.
  for (const side of SIDES) {
    test(`the ${side} reference passes the slow ${side} rules in an "@slow" run`, async () => {
      startBackground();
      const slow = await referenceSlow.get(side)!;
      assert.equal(slow.exitCode, 0, `the ${side} reference's @slow run: ${slow.verdict}`);
      const notPassed = slowOnlyOf(side).filter((id) => slow.requirements[id] !== 'passed').map((id) => `${id}: ${slow.requirements[id]}`);
      assert.deepEqual(notPassed, []);
    });
  }

  for (const m of brokenImplementations.filter(needsSlow)) brokenTest(m);

  test('the CLI: run --impl broken/follows-redirects exits 1, and its summary names AT-REQ-006 and nothing else', async () => {
    startBackground();
    const r = await redirectsCli!;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAILED AT-REQ-006 \(MUST\)/m);
    const named = [...r.stdout.matchAll(/^(?:FAILED|WARNING) (AT-[A-Z]+-\d{3})/gm)].map((x) => x[1]);
    assert.deepEqual(named, ['AT-REQ-006'], 'the broken implementation differs from the reference in one behaviour only');
    assert.match(r.stdout, /Verdict: Not conformant/);
  });

  test('the CLI: run --side grant-service --impl broken/accepts-tls12 exits 1, and its summary names AT-GTLS-001 and nothing else', async () => {
    startBackground();
    const r = await grantCli!;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAILED AT-GTLS-001 \(MUST\)/m);
    const named = [...r.stdout.matchAll(/^(?:FAILED|WARNING) (AT-[A-Z]+-\d{3})/gm)].map((x) => x[1]);
    assert.deepEqual(named, ['AT-GTLS-001'], 'the broken grant service differs from the reference in one behaviour only');
    assert.match(r.stdout, /Verdict: Not conformant/);
  });
});
