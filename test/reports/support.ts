// Helpers for the report tests (not a test file itself): run the CLI as a user would, read what it wrote.
import { runCli as runHarnessCli } from '../../harness/cli.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LEAKY = join(projectRoot, 'test', 'reports', 'fixtures', 'leaky-implementation.ts');
export const REPORT_FILES = ['index.html', 'report.yaml', 'junit.xml', 'cucumber.html', 'messages.ndjson', 'badge.svg', 'summary.md'];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `accesstoken-conformance <args>` in a child process, from the project root (or `cwd`). */
export async function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliRun> {
  const r = await runHarnessCli(args, { cwd: options.cwd, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

// node --test runs each test file in a process of its own: the directories a file made go with it
const madeDirs: string[] = [];
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system's temp dir, removed when the test process ends. */
export function tempDir(prefix = 'accesstoken-reports-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function writeTemp(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

export function missingFiles(dir: string): string[] {
  return REPORT_FILES.filter((f) => !existsSync(join(dir, f)));
}

export interface ReportYaml {
  apiVersion: string;
  kind: string;
  side: string;
  implementation: Record<string, unknown>;
  mode: string;
  selection: { tags: string | null; requirements: string[] };
  result: {
    verdict: string;
    partial: boolean;
    must: { passed: number; total: number };
    stoppedAnswering: { reason: string; details: string[]; scenariosNotRun: number; requirementsNotRun: string[] } | null;
  };
  summary: Record<string, number>;
  families: Record<string, Record<string, number>>;
  features: Record<string, Record<string, number>>;
  scenarios: Record<string, number>;
  failedRequirements: string[];
  warningRequirements: string[];
  skippedRequirements: string[];
  unsupportedRequirements: string[];
  expectedFailures: { id: string; reason: string; link?: string }[];
  nowPassing: { id: string; reason: string }[];
  requirements: { id: string; result: string }[];
}

export function readReportYaml(dir: string): ReportYaml {
  return parseYaml(read(dir, 'report.yaml')) as ReportYaml;
}

/** The matrix of index.html as its rows say: requirement ID → result. */
export function htmlMatrix(html: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of html.matchAll(/<tr class="req" id="req-([^"]+)"[^>]*\bdata-result="([^"]+)"/g)) rows.set(m[1], m[2]);
  return rows;
}

/** junit.xml's testsuite totals and testcase names, read with CDATA (implementation text) removed. */
export function junitSummary(xml: string): { tests: number; failures: number; skipped: number; errors: number; names: string[]; skippedMessages: string[] } {
  const bare = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const suite = /<testsuite\b([^>]*)>/.exec(bare)?.[1] ?? '';
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return {
    tests: attr('tests'),
    failures: attr('failures'),
    skipped: attr('skipped'),
    errors: attr('errors'),
    names: [...bare.matchAll(/<testcase\b[^>]*\bname="([^"]*)"/g)].map((m) => decode(m[1])),
    skippedMessages: [...bare.matchAll(/<skipped\b[^>]*\bmessage="([^"]*)"/g)].map((m) => decode(m[1])),
  };
}

/** Everything a run wrote that a reader could see: the report files and the console. */
export function everything(dir: string, run: CliRun): { name: string; text: string }[] {
  return [
    ...REPORT_FILES.filter((f) => existsSync(join(dir, f))).map((f) => ({ name: f, text: read(dir, f) })),
    { name: 'console (stdout)', text: run.stdout },
    { name: 'console (stderr)', text: run.stderr },
  ];
}

/** Secrets by shape, when their values are not known: PEM private keys, base64 PEM private keys, "code: <24 alnum>". */
export function secretShapes(text: string): string[] {
  const found: string[] = [];
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) found.push('a PEM private key header');
  for (const m of text.matchAll(/LS0tLS1CRUdJT[A-Za-z0-9+/]*={0,2}/g)) {
    if (Buffer.from(m[0], 'base64').toString('latin1').includes('PRIVATE KEY')) found.push('a base64 PEM private key');
  }
  for (const m of text.matchAll(/\bcode"?\s*[:=]\s*"?([A-Za-z0-9]{24})\b/g)) found.push(`a code: ${m[1].slice(0, 4)}…`);
  return found;
}
