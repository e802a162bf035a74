// Running the suite's command line against the command adapter, in a child process with a temp dir of
// its own (TMPDIR), so that what it leaves behind there can be checked without other tests in the way.
import { spawn } from 'node:child_process';
import { REPOSITORY_ROOT, runCli } from '../../../harness/cli.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { TOKEN_PATH } from '../../../adapters/command/options.ts';

export const root = REPOSITORY_ROOT;
export const fixtureDir = join(root, 'test/fixtures/command');
export const REDEEM = 'python3 test/fixtures/command/redeem.py';
/** The fixture as Skupper's system-mode CLI is run: a token file in, files out. */
export const FIXTURE_COMMAND = `${REDEEM} {tokenFile} --output-dir {outputDir} --subject {siteId}`;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The child's os.tmpdir(): empty of anything but tsx's cache when nothing was left behind. */
  tmp: string;
  reportDir: string;
}

export interface CliOptions {
  /** Called with the child's pid while it runs. */
  whileRunning?: (pid: number) => Promise<void>;
  /** Added to the child's environment (after TMPDIR, which it may replace). */
  env?: NodeJS.ProcessEnv;
}

// macOS's temp dir (/var/folders/…/T) holds `_`, which the command adapter refuses in a token file's path
// (options.tokenDir): there these tests, and the adapters they create in-process, use /tmp instead.
if (!TOKEN_PATH.test(tmpdir())) process.env.TMPDIR = '/tmp';
/** Where the tests make their temp dirs: the system's, or /tmp (above). */
export const TEST_TMP = tmpdir();

/** `accesstoken-conformance <args>` with its own TMPDIR and report dir, both removed after the test. */
export async function cli(t: TestContext, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const tmp = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-tmp-'));
  const reportDir = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-report-'));
  t.after(() => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(reportDir, { recursive: true, force: true });
  });
  const r = await runCli(['run', '--quiet', '--report-dir', reportDir, ...args], { env: { TMPDIR: tmp, ...options.env }, whileRunning: options.whileRunning });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr, durationMs: r.wallMs, tmp, reportDir };
}

/** What a run left in its TMPDIR, tsx's compile cache aside. */
export function leftovers(result: CliResult): string[] {
  return readdirSync(result.tmp).filter((f) => !f.startsWith('tsx-'));
}

export interface ReportedRequirement {
  id: string;
  level: string;
  result: string;
}

/** The requirements of the run's report.yaml, in catalogue order. */
export function reportedRequirements(result: CliResult): ReportedRequirement[] {
  return (parseYaml(readFileSync(join(result.reportDir, 'report.yaml'), 'utf8')) as { requirements: ReportedRequirement[] }).requirements;
}

/** Each requirement's result, from the run's report.yaml. */
export function requirementResults(result: CliResult): Map<string, string> {
  return new Map(reportedRequirements(result).map((r) => [r.id, r.result]));
}

export function withResult(results: Map<string, string>, wanted: string): string[] {
  return [...results].filter(([, r]) => r === wanted).map(([id]) => id).sort();
}

/** The IDs the console summary names as FAILED. */
export function failedInSummary(stdout: string): string[] {
  return [...stdout.matchAll(/^FAILED (AT-[A-Z]+-\d{3})/gm)].map((m) => m[1]).sort();
}

export function describe(r: CliResult): string {
  return `exit ${r.status} after ${Math.round(r.durationMs)} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Command lines of the running processes whose arguments hold the marker. */
export function processesWith(marker: string): Promise<string[]> {
  return new Promise((done, fail) => {
    const ps = spawn('ps', ['-eo', 'pid=,args='], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    ps.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    ps.on('error', fail);
    ps.on('close', () => done(out.split('\n').filter((l) => l.includes(marker) && !/\bps -eo\b/.test(l))));
  });
}
