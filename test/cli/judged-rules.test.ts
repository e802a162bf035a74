// Which rules each adapter can judge (`list --impl … --json`), and that none of them is judged where the
// adapter, not the implementation, would be doing what the rule asks: such a rule is unsupported there.
// (That the judged ones judge the program is shown by the broken programs: test/adapters/command/.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../harness/cli.ts';
import { parseOptions as parseKubernetesOptions } from '../../adapters/kubernetes/options.ts';
import { parseGrantServiceOptions } from '../../adapters/kubernetes/grant-options.ts';
import { missingFeatures } from '../../reports/catalogue.ts';
import { suiteCatalogue } from '../../cli/selection.ts';

interface Listed {
  id: string;
  side: string;
  family: string;
  judged: boolean;
  missing: string[];
}

async function listed(args: string[]): Promise<Listed[]> {
  const r = await runCli(['list', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Listed[];
}

const judged = (rules: Listed[]) => rules.filter((r) => r.judged).map((r) => r.id);
const unsupported = (rules: Listed[]) => rules.filter((r) => !r.judged).map((r) => r.id);

const REDEEM = 'python3 test/fixtures/command/redeem.py {tokenFile} --output-dir {outputDir}';

test('the references are judged on every rule of their side', async (t) => {
  for (const side of ['redeemer', 'grant-service']) {
    const rules = await listed(['--side', side, '--impl', 'reference']);
    assert.ok(rules.length >= 30);
    assert.deepEqual(unsupported(rules), [], side);
    t.diagnostic(`reference (${side}): judged on all ${rules.length}`);
  }
});

test('command, status none: the rules that read the token\'s own status are unsupported, whatever else it claims', async (t) => {
  const rules = await listed(['--impl', 'command', '--impl-option', `command=${REDEEM}`, '--impl-option', 'resync=true', '--impl-option', 'features=link-cost']);
  // the adapter would make these up: the status from the exit code, the retry from its own resync
  for (const id of ['AT-USE-001', 'AT-USE-003']) assert.ok(unsupported(rules).includes(id), id);
  for (const r of rules.filter((r) => r.family === 'conditions')) assert.ok(!r.judged, r.id);
  // what a program that keeps no status is judged on: what it sends, trusts and creates
  for (const id of ['AT-TRUST-001', 'AT-REQ-003', 'AT-RESP-003', 'AT-ERR-001']) assert.ok(judged(rules).includes(id), id);
  t.diagnostic(`command (status none): judged ${judged(rules).length}, unsupported ${unsupported(rules).join(' ')}`);
});

test('command, status file: the program keeps its status, so the single-use and condition rules judge it', async (t) => {
  const rules = await listed(['--impl', 'command', '--impl-option', `command=${REDEEM} --status-file`, '--impl-option', 'status=file', '--impl-option', 'resync=true']);
  for (const id of ['AT-USE-001', 'AT-USE-003', 'AT-COND-001', 'AT-COND-004']) assert.ok(judged(rules).includes(id), id);
  // no way to delete a site or a token through a command: the adapter would be the one deleting
  for (const id of ['AT-COND-007', 'AT-LIFE-001', 'AT-LIFE-003']) assert.ok(unsupported(rules).includes(id), id);
  // a token name in two sites is two programs' runs, each the program's own doing
  assert.ok(judged(rules).includes('AT-LIFE-002'));
  t.diagnostic(`command (status file): judged ${judged(rules).length}, unsupported ${unsupported(rules).join(' ')}`);
});

test('command on the grant side: a token-issuing program is not judged on grant status or on the suite\'s AccessGrant being the grant', async (t) => {
  const rules = await listed(['--side', 'grant-service', '--impl', 'command', '--impl-option', 'issue=skupper token issue {tokenFile}']);
  for (const r of rules) {
    const needsGrant = r.missing.some((f) => f === 'status' || f === 'grant-resource');
    if (needsGrant) assert.ok(!r.judged, r.id);
  }
  for (const id of ['AT-ISSUE-004', 'AT-ISSUE-007', 'AT-ISSUE-003', 'AT-ANSWER-008']) assert.ok(unsupported(rules).includes(id), id);
  for (const id of ['AT-ISSUE-001', 'AT-LIMIT-002', 'AT-GRANT-005', 'AT-GTLS-001', 'AT-ANSWER-005']) assert.ok(judged(rules).includes(id), id);
  t.diagnostic(`command (grant side): judged ${judged(rules).length}, unsupported ${unsupported(rules).join(' ')}`);
});

test('kubernetes: the controller does the work, the adapter only applies and reads resources; by default it is judged on every rule', (t) => {
  // create() would need a cluster: the features come from the options, as create() takes them
  for (const [side, features] of [
    ['redeemer', parseKubernetesOptions({}).features],
    ['grant-service', parseGrantServiceOptions({}).features],
  ] as const) {
    const rules = suiteCatalogue().filter((r) => r.side === side);
    assert.deepEqual(rules.filter((r) => missingFeatures(r, features).length > 0).map((r) => r.id), [], side);
    t.diagnostic(`kubernetes (${side}): judged on all ${rules.length}`);
  }
});
