// action.yml, run as GitHub runs a composite action, on this machine: its inputs, `${{ … }}` expressions
// and `if:` conditions evaluated, each `run:` script executed with bash as the runner does (this checkout
// of the suite as github.action_path, a temporary workspace, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as
// files), the `uses:` steps checked for what they would be given. Four runs: the reference, an
// implementation that fails and echoes codes and a private key, a failure the baseline expects, and a run
// that cannot happen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { LEAKY, projectRoot, secretShapes, tempDir } from '../reports/support.ts';

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = parse(readFileSync(join(projectRoot, 'action.yml'), 'utf8')) as Action;
const steps = action.runs.steps;

interface Context {
  inputs: Record<string, string>;
  workspace: string;
  steps: Record<string, Record<string, string>>;
  failed: boolean;
}

/** A reference: inputs.x, github.action_path, github.workspace, runner.os, steps.<id>.outputs.<name>. */
function lookup(ref: string, ctx: Context): string {
  const parts = ref.split('.');
  if (parts[0] === 'inputs' && parts.length === 2) {
    assert.ok(parts[1] in action.inputs, `action.yml reads an input it does not declare: ${ref}`);
    return ctx.inputs[parts[1]];
  }
  if (ref === 'github.action_path') return projectRoot;
  if (ref === 'github.workspace') return ctx.workspace;
  if (ref === 'runner.os') return 'Linux';
  if (parts[0] === 'steps' && parts[2] === 'outputs' && parts.length === 4) return ctx.steps[parts[1]]?.[parts[3]] ?? '';
  throw new Error(`the emulator does not know ${ref}`);
}

function substitute(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => lookup(expr, ctx));
}

/** An `if:` as the runner reads it: terms joined by &&, success() added when no status function is named. */
function condition(expr: string | undefined, ctx: Context): boolean {
  const terms = (expr ?? '').replace(/^\$\{\{\s*|\s*\}\}$/g, '').split('&&').map((t) => t.trim()).filter(Boolean);
  const status = ['always()', 'success()', 'failure()', '!cancelled()', 'cancelled()'];
  if (!terms.some((t) => status.includes(t))) terms.unshift('success()');
  return terms.every((t) => {
    if (t === 'always()' || t === '!cancelled()') return true;
    if (t === 'cancelled()') return false;
    if (t === 'success()') return !ctx.failed;
    if (t === 'failure()') return ctx.failed;
    const m = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(t);
    if (!m) throw new Error(`the emulator does not know the condition ${t}`);
    return (lookup(m[1], ctx) === m[3]) === (m[2] === '==');
  });
}

/** GITHUB_OUTPUT's lines: name=value, or name<<DELIMITER … DELIMITER. */
function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; log: string }> {
  return new Promise((done, fail) => {
    // the runner's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, log }));
  });
}

interface ActionRun {
  workspace: string;
  /** The action's result: the exit code of the step that failed it, or 0. */
  code: number;
  outputs: Record<string, string>;
  /** Per step: whether it ran, its exit code and log. */
  ran: Map<string, { code: number; log: string }>;
  stepSummary: string;
  uploads: { name: string; path: string }[];
}

const STEP_SUMMARY_BEFORE = '## An earlier step\n\n';

/** Runs action.yml's steps with these inputs in a workspace prepared by `setup`. */
async function runAction(withInputs: Record<string, string>, setup: (workspace: string) => void = () => {}): Promise<ActionRun> {
  const workspace = realpathSync(tempDir('accesstoken-action-'));
  const files = tempDir('accesstoken-action-files-');
  setup(workspace);
  for (const k of Object.keys(withInputs)) assert.ok(k in action.inputs, `no input ${k}`);
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, withInputs[k] ?? v.default ?? '']));
  const ctx: Context = { inputs, workspace, steps: {}, failed: false };
  const stepSummary = join(files, 'step-summary.md');
  writeFileSync(stepSummary, STEP_SUMMARY_BEFORE);
  const ran = new Map<string, { code: number; log: string }>();
  const uploads: { name: string; path: string }[] = [];
  let code = 0;
  for (const [i, step] of steps.entries()) {
    if (!condition(step.if, ctx)) continue;
    const name = step.name ?? `step ${i + 1}`;
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)]));
    if (step.uses) {
      // what GitHub's actions would be given; none of them has anything to do here
      if (step.uses.startsWith('actions/setup-node@')) assert.equal(w['node-version'], inputs['node-version']);
      else if (step.uses.startsWith('actions/cache@')) {
        assert.equal(w.path, join(projectRoot, 'node_modules'));
        assert.match(w.key, /^accesstoken-conformance-\S+-[0-9a-f]{20}$/);
      } else if (step.uses.startsWith('actions/upload-artifact@')) uploads.push({ name: w.name, path: w.path });
      else throw new Error(`the emulator does not know ${step.uses}`);
      ran.set(name, { code: 0, log: '' });
      continue;
    }
    assert.equal(step.shell, 'bash', `${name}: shell`);
    const output = join(files, `output-${i}`);
    writeFileSync(output, '');
    const dir = substitute(step['working-directory'] ?? '.', ctx);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)])),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: projectRoot,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: stepSummary,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: files,
      NO_COLOR: '1',
    };
    const r = await bash(substitute(step.run!, ctx), isAbsolute(dir) ? dir : resolve(workspace, dir), env);
    ran.set(name, r);
    if (step.id) ctx.steps[step.id] = outputs(output);
    if (r.code !== 0 && !ctx.failed) {
      ctx.failed = true;
      code = r.code;
    }
  }
  const actionOutputs = Object.fromEntries(Object.entries(action.outputs).map(([k, o]) => [k, substitute(o.value, ctx)]));
  return { workspace, code, outputs: actionOutputs, ran, stepSummary: readFileSync(stepSummary, 'utf8').slice(STEP_SUMMARY_BEFORE.length), uploads };
}

const secrets = tempDir('accesstoken-action-secrets-');
const recorded = join(secrets, 'recorded.ndjson');
let reference: ActionRun;
let leaky: ActionRun;
let expected: ActionRun;
let missing: ActionRun;
let unquoted: ActionRun;

before(async () => {
  [reference, leaky, expected, missing, unquoted] = await Promise.all([
    runAction({ impl: 'reference', tags: 'not @slow', config: 'conformance.yaml' }, (ws) => {
      writeFileSync(join(ws, 'conformance.yaml'), 'implementation: { name: Example, version: "1.0" }\n');
    }),
    runAction({
      impl: LEAKY,
      // the families where it lies (request) and echoes (messages): failures with codes and keys in them
      tags: 'not @slow and (@family:request or @family:messages)',
      args: `--impl-option lie=http,refused --impl-option "echo=true" --impl-option 'record=${recorded}' --quiet`,
      'report-dir': 'out/reports',
      'artifact-name': 'leaky-report',
    }),
    runAction({ impl: 'broken/allows-http', args: '--requirement AT-REQ-001', baseline: 'baseline.yaml', 'step-summary': 'false', 'artifact-name': '' }, (ws) => {
      writeFileSync(join(ws, 'baseline.yaml'), 'expectedFailures:\n  - id: AT-REQ-001\n    reason: plain http is accepted until v2\n');
    }),
    runAction({ impl: './missing.js' }, (ws) => {
      mkdirSync(join(ws, 'conformance-report'));
      writeFileSync(join(ws, 'conformance-report', 'summary.md'), '## STALE: an earlier run\n');
    }),
    runAction({ args: `--tags 'not @slow` }),
  ]);
});

function leaksIn(name: string, text: string): string[] {
  const entries = readFileSync(recorded, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { code?: string; key?: string });
  const found: string[] = [];
  for (const e of entries) {
    if (e.code && text.includes(e.code)) found.push(`${name}: the code ${e.code.slice(0, 4)}…`);
    for (const line of (e.key ?? '').split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))) {
      if (text.includes(line)) found.push(`${name}: a private key line ${line.slice(0, 8)}…`);
    }
  }
  return [...found, ...secretShapes(text).map((s) => `${name}: ${s}`)];
}

describe('action.yml', () => {
  test('is a composite action with the inputs the docs name, and outputs read from the gate step', () => {
    assert.equal(action.runs.using, 'composite');
    for (const input of ['impl', 'side', 'config', 'baseline', 'tags', 'args', 'report-dir', 'working-directory', 'node-version', 'artifact-name', 'step-summary']) {
      assert.ok(action.inputs[input]?.description, `input ${input}`);
    }
    assert.equal(action.inputs['report-dir'].default, 'conformance-report');
    for (const output of ['verdict', 'partial', 'exit-code', 'report-dir']) assert.equal(action.outputs[output].value, `\${{ steps.gate.outputs.${output} }}`);
    assert.ok(steps.some((s) => s.uses === 'actions/setup-node@v4'));
    assert.ok(steps.some((s) => s.uses === 'actions/upload-artifact@v4' && s.if?.startsWith('always()')));
  });

  test('never puts an input or an output into a script: they reach it through the environment', () => {
    for (const s of steps.filter((x) => x.run)) assert.doesNotMatch(s.run!, /\$\{\{/, `${s.name}: an expression inside run:`);
  });

  test('against the reference: exit 0, Conformant, summary.md on the job page, the reports uploaded', () => {
    assert.equal(reference.code, 0, [...reference.ran.values()].map((r) => r.log).join('\n'));
    assert.equal(reference.outputs['exit-code'], '0');
    assert.equal(reference.outputs.verdict, 'Conformant');
    assert.match(reference.outputs.partial, /^(true|false)$/);
    const reportDir = join(reference.workspace, 'conformance-report');
    assert.equal(reference.outputs['report-dir'], reportDir);
    const summary = readFileSync(join(reportDir, 'summary.md'), 'utf8');
    assert.equal(reference.stepSummary, summary, 'summary.md appended after what earlier steps wrote');
    assert.match(summary, /^## ✅ AccessToken conformance: Conformant/);
    assert.match(summary, /\*\*Example 1\.0\*\* judged as a \*\*redeemer\*\*/, 'conformance.yaml was read from the workspace');
    assert.deepEqual(reference.uploads, [{ name: 'conformance-report', path: reportDir }]);
    for (const f of ['index.html', 'report.yaml', 'junit.xml', 'badge.svg', 'summary.md']) assert.ok(existsSync(join(reportDir, f)), f);
    assert.deepEqual(secretShapes(summary), []);
  });

  test('against a failing implementation: the gate fails the action with exit 1, after the summary and the upload', () => {
    assert.equal(leaky.code, 1, [...leaky.ran.values()].map((r) => r.log).join('\n'));
    assert.equal(leaky.outputs['exit-code'], '1');
    assert.equal(leaky.outputs.verdict, 'Not conformant');
    assert.match(leaky.ran.get('Conformance gate')!.log, /::error title=AccessToken conformance::Not conformant/);
    assert.equal(leaky.ran.get("The gate's exit code")?.code, 1);
    const reportDir = join(leaky.workspace, 'out', 'reports');
    const summary = readFileSync(join(reportDir, 'summary.md'), 'utf8');
    assert.equal(leaky.stepSummary, summary);
    assert.match(summary, /^## ❌ AccessToken conformance: Not conformant/);
    const failures = summary.slice(summary.indexOf('### ❌ Failures'), summary.indexOf('### ⚠️ Warnings'));
    assert.match(failures, /^- \*\*AT-REQ-001\*\* \(MUST, request\)/m);
    assert.match(failures, /\(`features\/request\.feature:\d+`\)/, 'the scenario is placed in the catalogue, not relative to the workspace');
    assert.match(summary, /```text\n/);
    assert.deepEqual(leaky.uploads, [{ name: 'leaky-report', path: reportDir }]);
  });

  test('writes no code and no private key the implementation held or echoed into summary.md or the job page', () => {
    assert.ok(existsSync(recorded) && readFileSync(recorded, 'utf8').includes('"code"'), 'the implementation recorded its codes');
    const summary = readFileSync(join(leaky.workspace, 'out', 'reports', 'summary.md'), 'utf8');
    assert.match(summary, /\[redacted (code: \d+ bytes|private key)/, 'the echoed secrets were there, redacted');
    assert.deepEqual([...leaksIn('summary.md', summary), ...leaksIn('step summary', leaky.stepSummary)], []);
  });

  test('passes the baseline: an expected failure is exit 0, Conformant with warnings; no summary or upload when asked for none', () => {
    assert.equal(expected.code, 0, [...expected.ran.values()].map((r) => r.log).join('\n'));
    assert.equal(expected.outputs.verdict, 'Conformant with warnings');
    assert.equal(expected.outputs.partial, 'true');
    assert.match(expected.ran.get('Conformance gate')!.log, /::warning title=AccessToken conformance::Conformant with warnings \(partial\)/);
    assert.equal(expected.stepSummary, '');
    assert.deepEqual(expected.uploads, []);
    assert.match(readFileSync(join(expected.workspace, 'conformance-report', 'summary.md'), 'utf8'), /### Expected failures \(1\)[\s\S]*AT-REQ-001[\s\S]*plain http is accepted until v2/);
  });

  test('a run that cannot happen: exit 2, said on the job page, and no earlier summary.md speaks for it', () => {
    assert.equal(missing.code, 2);
    assert.equal(missing.outputs['exit-code'], '2');
    assert.equal(missing.outputs.verdict, '');
    assert.match(missing.stepSummary, /^### AccessToken conformance: the run did not happen \(exit code 2, see the log\)\n$/);
    assert.ok(!existsSync(join(missing.workspace, 'conformance-report', 'summary.md')), 'the stale summary.md was removed');
  });

  test('args that are not shell words (a quote left open) are a run that did not happen, exit 2', () => {
    assert.equal(unquoted.code, 2);
    assert.match(unquoted.ran.get('Conformance gate')!.log, /the args input is not a list of shell words/);
    assert.match(unquoted.stepSummary, /the run did not happen \(exit code 2/);
  });
});

describe('the `uses:` workflow in docs/ci.md', () => {
  const doc = readFileSync(join(projectRoot, 'docs', 'ci.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const usesWorkflow = parse(blocks[0]) as { jobs: Record<string, { steps: ActionStep[] }> };
  const step = Object.values(usesWorkflow.jobs)[0].steps.find((s) => s.uses?.includes('/accesstoken-conformance@'));

  test('comes first, and gives the action only inputs it declares', () => {
    assert.ok(step, 'the first workflow uses the action');
    assert.ok(doc.indexOf(blocks[0]) < doc.indexOf('name: Conformance gate'), 'before the raw workflow');
    for (const k of Object.keys(step!.with ?? {})) assert.ok(k in action.inputs, `docs/ci.md gives an input action.yml does not declare: ${k}`);
  });

  test('names only outputs the action declares', () => {
    for (const m of doc.matchAll(/steps\.[\w-]+\.outputs\.([\w-]+)/g)) assert.ok(m[1] in action.outputs, `output ${m[1]}`);
  });
});

describe('the GitLab CI job in docs/ci.md', () => {
  const doc = readFileSync(join(projectRoot, 'docs', 'ci.md'), 'utf8');
  const block = /```yaml\n(# \.gitlab-ci\.yml\n[\s\S]*?)```/.exec(doc)?.[1];
  const jobs = parse(block ?? '') as Record<string, { script: string[]; artifacts: { when: string; paths: string[]; reports: { junit: string } } }>;
  const job = Object.values(jobs ?? {})[0];

  test('runs the same gate command as the workflow by hand (test/reports/ci-doc.test.ts runs that one)', () => {
    assert.ok(job, 'a .gitlab-ci.yml example');
    const gate = job.script.find((l) => l.startsWith('npx accesstoken-conformance run'));
    assert.ok(doc.includes(`run: ${gate}\n`), `the GitHub workflow's gate is ${gate}`);
  });

  test('keeps the report directory whatever happened and hands GitLab its junit.xml', () => {
    const gate = job.script.find((l) => l.startsWith('npx accesstoken-conformance run'))!;
    const dir = /--report-dir (\S+)/.exec(gate)![1];
    assert.equal(job.artifacts.when, 'always');
    assert.deepEqual(job.artifacts.paths.map((p) => p.replace(/\/$/, '')), [dir]);
    assert.equal(job.artifacts.reports.junit, `${dir}/junit.xml`);
  });
});
