// docs/ci.md stays true: its workflow is valid YAML that runs the gate as the CLI accepts it, keeps the
// report directory whatever happens, and its summary script reads report.yaml as the reports write it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { renderYamlReport } from '../../reports/yaml-report.ts';
import { sampleResult } from './fixtures/sample-result.ts';
import { projectRoot, readReportYaml, runCli, tempDir } from './support.ts';

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }

const doc = readFileSync(join(projectRoot, 'docs', 'ci.md'), 'utf8');
const workflow = parse(/```yaml\n(name: [\s\S]*?)```/.exec(doc)![1]) as { on: unknown; jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs)[0].steps;
const step = (name: string) => steps.find((s) => s.name === name)!;

function summaryOf(reportYaml: string | undefined): string {
  const dir = tempDir('accesstoken-ci-');
  if (reportYaml !== undefined) {
    mkdirSync(join(dir, 'conformance-report'));
    writeFileSync(join(dir, 'conformance-report', 'report.yaml'), reportYaml);
  }
  const out = join(dir, 'summary.md');
  writeFileSync(out, '');
  execFileSync('bash', ['-e', '-c', step('Summary').run!], { cwd: dir, env: { ...process.env, GITHUB_STEP_SUMMARY: out } });
  return readFileSync(out, 'utf8');
}

describe('the GitHub Actions workflow in docs/ci.md', () => {
  test('runs a gate command that works, in a repository with a conformance.yaml', async () => {
    const gate = step('Conformance gate').run!;
    assert.equal(step('Conformance gate').if, undefined, 'the gate decides the job');
    const [command, ...args] = gate.split(/\s+/);
    assert.deepEqual([command, args[0]], ['npx', 'accesstoken-conformance']);
    const repo = tempDir('accesstoken-ci-repo-');
    writeFileSync(join(repo, 'conformance.yaml'), 'implementation: { name: Example }\nimpl: reference\nrequirements: [AT-REQ-001]\n');
    const run = await runCli(args.slice(1), { cwd: repo });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readReportYaml(join(repo, 'conformance-report')).implementation.name, 'Example');
  });

  test('keeps the report directory as an artifact whatever happened', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    assert.equal(upload.if, 'always()');
    const dir = /--report-dir (\S+)/.exec(step('Conformance gate').run!)![1];
    assert.equal(String(upload.with?.path).replace(/\/$/, ''), dir);
  });

  test('writes the verdict, partial and MUST n/m from report.yaml into the step summary', () => {
    const result = sampleResult();
    const summary = summaryOf(renderYamlReport(result));
    assert.match(summary, new RegExp(`### AccessToken conformance: ${result.verdict} \\(partial\\)`));
    assert.match(summary, new RegExp(`MUST rules passed: ${result.mustPassed}/${result.mustTotal}`));
    const clean = sampleResult({ failing: [], notRun: [], unsupported: [], baseline: [] });
    assert.match(summaryOf(renderYamlReport(clean)), /### AccessToken conformance: Conformant\n/);
  });

  test('says the run did not happen when there is no report', () => {
    assert.match(summaryOf(undefined), /the run did not happen \(exit code 2/);
  });

  test('refuses a partial run with the check it documents', () => {
    const check = /run: (grep -q '\^  partial: false\$' conformance-report\/report.yaml)/.exec(doc)![1];
    const run = (yaml: string) => {
      const dir = tempDir('accesstoken-ci-');
      mkdirSync(join(dir, 'conformance-report'));
      writeFileSync(join(dir, 'conformance-report', 'report.yaml'), yaml);
      try {
        execFileSync('bash', ['-c', check], { cwd: dir });
        return 0;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    assert.equal(run(renderYamlReport(sampleResult())), 1, 'partial fails');
    assert.equal(run(renderYamlReport(sampleResult({ failing: [], notRun: [], unsupported: [], baseline: [] }))), 0, 'complete passes');
  });
});
