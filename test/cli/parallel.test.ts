// A parallel run says what a serial run says (issue 10, item 1): the same verdict, the same outcome for
// every requirement and every scenario, whatever the number of workers; and its workers take the @slow
// scenarios first. Speed is the bench's business (npm run bench): nothing here is timed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { collect, spawnCli } from '../../harness/cli.ts';
import type { ConformanceReport } from '../../reports/yaml-report.ts';

interface Outcome {
  code: number | null;
  report: ConformanceReport;
  /** "uri: scenario name [example row]" → its worst step status, sorted */
  scenarios: string[];
  /** scenario names in the order they started */
  started: { name: string; slow: boolean; worker: string }[];
}

const STATUS_RANK = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

/** What a run's messages say of each scenario, keyed by where it is (names repeat across Examples). */
function scenarioOutcomes(messagesFile: string): Pick<Outcome, 'scenarios' | 'started'> {
  const pickles = new Map<string, { uri: string; name: string; astNodeIds: string[]; tags: string[] }>();
  const testCases = new Map<string, string>();
  const startedCases = new Map<string, { pickleId: string; worst: string }>();
  const started: Outcome['started'] = [];
  const lines = new Map<string, number>();
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line);
    if (m.gherkinDocument) collectLines(m.gherkinDocument.feature, lines);
    if (m.pickle) pickles.set(m.pickle.id, { uri: m.pickle.uri, name: m.pickle.name, astNodeIds: m.pickle.astNodeIds, tags: m.pickle.tags.map((t: { name: string }) => t.name) });
    if (m.testCase) testCases.set(m.testCase.id, m.testCase.pickleId);
    if (m.testCaseStarted) {
      const pickleId = testCases.get(m.testCaseStarted.testCaseId)!;
      startedCases.set(m.testCaseStarted.id, { pickleId, worst: 'UNKNOWN' });
      const p = pickles.get(pickleId)!;
      started.push({ name: p.name, slow: p.tags.includes('@slow'), worker: m.testCaseStarted.workerId ?? '' });
    }
    if (m.testStepFinished) {
      const c = startedCases.get(m.testStepFinished.testCaseStartedId)!;
      const s = m.testStepFinished.testStepResult.status;
      if (STATUS_RANK.indexOf(s) > STATUS_RANK.indexOf(c.worst)) c.worst = s;
    }
  }
  const scenarios = [...startedCases.values()].map(({ pickleId, worst }) => {
    const p = pickles.get(pickleId)!;
    // an Examples row is told apart by the line of its row
    return `${p.uri}:${p.astNodeIds.map((id) => lines.get(id)).join(',')}: ${p.name} → ${worst}`;
  });
  return { scenarios: scenarios.sort(), started };
}

function collectLines(node: unknown, lines: Map<string, number>): void {
  if (!node || typeof node !== 'object') return;
  const n = node as { id?: string; location?: { line: number } };
  if (n.id && n.location) lines.set(n.id, n.location.line);
  for (const v of Object.values(node)) if (v && typeof v === 'object') collectLines(v, lines);
}

async function run(t: { after(fn: () => void): void }, args: string[]): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'atc-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await collect(spawnCli(['run', ...args, '--report-dir', dir, '--quiet'], { env: { NO_COLOR: '1' } }), { timeoutMs: 240_000 });
  assert.equal(r.timedOut, false, `the run did not end: ${r.stdout}${r.stderr}`);
  const report = parse(readFileSync(join(dir, 'report.yaml'), 'utf8')) as ConformanceReport;
  return { code: r.code, report, ...scenarioOutcomes(join(dir, 'messages.ndjson')) };
}

/** Everything a verdict is made of, without what differs by nature between two runs (times, options). */
function verdictOf(o: Outcome) {
  const { result, summary, families, features, scenarios, failedRequirements, warningRequirements, unsupportedRequirements, skippedRequirements } = o.report;
  return {
    code: o.code,
    result,
    summary,
    families,
    features,
    scenarios,
    failedRequirements,
    warningRequirements,
    unsupportedRequirements,
    skippedRequirements,
    requirements: o.report.requirements.map(({ id, level, result: r, scenarios: n }) => ({ id, level, result: r, scenarios: n })),
    perScenario: o.scenarios,
  };
}

// each case's three runs side by side (they mostly wait); the cases one after another
describe('a parallel run judges as a serial run does', () => {
  const cases: { name: string; args: string[] }[] = [
    // @AT-REQ-009 waits 2.5 s: with it, auto chooses workers
    { name: 'the reference', args: ['--tags', 'not @slow or @AT-REQ-009'] },
    { name: 'a broken redeemer', args: ['--impl', 'broken/follows-redirects', '--tags', 'not @slow'] },
    { name: 'the reference grant service', args: ['--side', 'grant-service', '--tags', 'not @slow'] },
    { name: 'a broken grant service', args: ['--side', 'grant-service', '--impl', 'broken/allows-one-more', '--tags', 'not @slow'] },
  ];
  for (const c of cases) {
    test(`${c.name}: the same verdict and outcomes with --parallel 0, auto and 3`, async (t) => {
      const [serial, auto, three] = await Promise.all([
        run(t, [...c.args, '--parallel', '0']),
        run(t, [...c.args, '--parallel', 'auto']),
        run(t, [...c.args, '--parallel', '3']),
      ]);
      assert.ok(serial.scenarios.length > 20, `only ${serial.scenarios.length} scenarios ran`);
      assert.equal(serial.report.options.parallel, 0);
      assert.equal(three.report.options.parallel, 3);
      assert.deepEqual(verdictOf(auto), verdictOf(serial));
      assert.deepEqual(verdictOf(three), verdictOf(serial));
      // three workers really ran scenarios
      assert.ok(new Set(three.started.map((s) => s.worker)).size > 1, 'one worker ran everything');
    });
  }
});

test('--parallel auto: the reference without @slow runs serially; with @slow scenarios, in workers that start them first', async (t) => {
  const [plain, slow] = await Promise.all([
    run(t, ['--tags', 'not @slow', '--requirement', 'AT-USE-001', '--requirement', 'AT-REQ-001']),
    run(t, ['--tags', 'not @slow or @AT-REQ-009 or @AT-COND-005', '--requirement', 'AT-REQ-009', '--requirement', 'AT-USE-001', '--requirement', 'AT-COND-005', '--requirement', 'AT-REQ-001']),
  ]);
  assert.equal(plain.report.options.parallel, 0);
  const workers = slow.report.options.parallel as number;
  assert.ok(workers >= 2, `auto chose ${workers} workers`);
  const slowCount = slow.started.filter((s) => s.slow).length;
  assert.ok(slowCount >= 1, 'the selection has @slow scenarios');
  // the coordinator hands out every @slow scenario before any other: they are among the first to start
  const firstStarted = slow.started.slice(0, slowCount + workers - 1);
  for (const s of slow.started.filter((x) => x.slow)) assert.ok(firstStarted.includes(s), `${s.name} started late: ${slow.started.map((x) => x.name).join(' | ')}`);
});

test('--parallel with a client timeout to wait out: its worker starts first, the other waits at the gate until it has begun', async (t) => {
  // AT-REQ-007 waits out the reference's 10 s client timeout; AT-USE-001's scenarios are quick
  const r = await run(t, ['--requirement', 'AT-REQ-007', '--requirement', 'AT-USE-001', '--parallel', '2']);
  assert.equal(r.code, 0);
  assert.equal(r.report.options.parallel, 2);
  const first = r.started[0];
  assert.equal(first.name, 'A grant service that accepts the request and never answers', `started first: ${r.started.map((s) => `${s.worker}: ${s.name}`).join(' | ')}`);
  const others = r.started.filter((s) => s.worker !== first.worker);
  assert.ok(others.length > 0, 'the held worker ran no scenario');
});
