// npm run soak [-- --runs N] [--all] [--impl NAME]... [--side redeemer|grant-service] [--mode serial|parallel]
// Is the suite's verdict stable? N consecutive full runs (default 50), each a cold
// `accesstoken-conformance run --tags 'not @slow'`, taking the configurations in turn: serial and
// --parallel 2, on both sides, against the reference and bundled broken implementations (by default the
// references and two broken ones per side, whose defects are a race, a retry, a TLS version and a
// redirect; --all: every one in fixtures/broken and fixtures/broken-grant-services). Every run's verdict
// and per-requirement results are compared with the first run of its configuration; any difference is
// printed (which requirement flipped, in which run) and the exit code is 1.
// --impl, --side and --mode keep only the matching configurations (a quick soak: --impl reference).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { REPOSITORY_ROOT, runCli } from '../harness/cli.ts';

type Side = 'redeemer' | 'grant-service';
type Mode = 'serial' | 'parallel';

export interface Configuration {
  side: Side;
  impl: string;
  mode: Mode;
}

/** What one run said: its verdict and each requirement's result. */
export interface Outcome {
  verdict: string;
  requirements: Record<string, string>;
}

const BROKEN_DIRS: Record<Side, string> = { redeemer: 'fixtures/broken', 'grant-service': 'fixtures/broken-grant-services' };

/** The bundled broken implementations of a side, as `--impl` names them. */
function brokenOf(side: Side): string[] {
  return readdirSync(join(REPOSITORY_ROOT, BROKEN_DIRS[side]))
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => `broken/${f.replace(/\.ts$/, '')}`)
    .sort();
}

/** The broken implementations a default soak takes: defects that depend on timing, or nearly. */
const DEFAULT_BROKEN: Record<Side, string[]> = {
  redeemer: ['broken/follows-redirects', 'broken/resubmits-redeemed'],
  'grant-service': ['broken/counts-without-holding-the-limit', 'broken/accepts-tls12'],
};

/** The configurations, serial and parallel alternating, the reference of each side first. */
export function configurations(filter: { impls?: string[]; side?: Side; mode?: Mode; all?: boolean } = {}): Configuration[] {
  const out: Configuration[] = [];
  for (const side of ['redeemer', 'grant-service'] as const) {
    const broken = filter.all || filter.impls?.length ? brokenOf(side) : DEFAULT_BROKEN[side].filter((b) => brokenOf(side).includes(b));
    for (const impl of ['reference', ...broken]) {
      for (const mode of ['serial', 'parallel'] as const) out.push({ side, impl, mode });
    }
  }
  return out.filter((c) => (!filter.impls?.length || filter.impls.includes(c.impl)) && (!filter.side || c.side === filter.side) && (!filter.mode || c.mode === filter.mode));
}

export const label = (c: Configuration) => `${c.side === 'grant-service' ? '--side grant-service ' : ''}--impl ${c.impl}${c.mode === 'parallel' ? ' --parallel 2' : ''}`;

/** One cold run of a configuration, read back from its report.yaml. */
async function runOnce(c: Configuration): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'atc-soak-'));
  try {
    const args = ['run', '--side', c.side, '--impl', c.impl, '--tags', 'not @slow', '--parallel', c.mode === 'parallel' ? '2' : '0', '--quiet', '--report-dir', dir];
    const r = await runCli(args, { timeoutMs: 180_000 });
    if (r.timedOut || (r.code !== 0 && r.code !== 1)) {
      return { verdict: `exit ${r.timedOut ? 'timed out' : (r.code ?? r.signal)}: ${r.stderr.trim().split('\n')[0] ?? ''}`, requirements: {} };
    }
    const report = parseYaml(readFileSync(join(dir, 'report.yaml'), 'utf8')) as { result: { verdict: string }; requirements: { id: string; result: string }[] };
    return { verdict: report.result.verdict, requirements: Object.fromEntries(report.requirements.map((q) => [q.id, q.result])) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How a run differs from the first of its configuration, in words; empty when it does not. */
export function differences(first: Outcome, now: Outcome): string[] {
  const out: string[] = [];
  if (first.verdict !== now.verdict) out.push(`verdict ${first.verdict} → ${now.verdict}`);
  for (const id of [...new Set([...Object.keys(first.requirements), ...Object.keys(now.requirements)])].sort()) {
    if (first.requirements[id] !== now.requirements[id]) out.push(`${id} ${first.requirements[id] ?? 'absent'} → ${now.requirements[id] ?? 'absent'}`);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, all: { type: 'boolean' }, impl: { type: 'string', multiple: true }, side: { type: 'string' }, mode: { type: 'string' } },
    strict: true,
  });
  const runs = Number(values.runs ?? 50);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: expected a whole number of at least 1`);
  if (values.side && values.side !== 'redeemer' && values.side !== 'grant-service') throw new Error(`--side ${values.side}: expected redeemer or grant-service`);
  if (values.mode && values.mode !== 'serial' && values.mode !== 'parallel') throw new Error(`--mode ${values.mode}: expected serial or parallel`);
  const chosen = configurations({ impls: values.impl, side: values.side as Side | undefined, mode: values.mode as Mode | undefined, all: values.all });
  const unknown = (values.impl ?? []).filter((i) => !configurations({ all: true }).some((c) => c.impl === i));
  if (unknown.length > 0) throw new Error(`--impl ${unknown.join(', ')}: neither reference nor a bundled broken implementation`);
  if (chosen.length === 0) throw new Error('no configuration matches --impl/--side/--mode');

  console.log(`soak: ${runs} full runs taking ${chosen.length} configuration${chosen.length === 1 ? '' : 's'} in turn (--tags 'not @slow'), each compared with the first run of its configuration`);
  const started = performance.now();
  const firsts = new Map<Configuration, Outcome>();
  const flips: string[] = [];
  let differed = 0;
  let compared = 0;
  for (let run = 1; run <= runs; run++) {
    const c = chosen[(run - 1) % chosen.length];
    const outcome = await runOnce(c);
    const first = firsts.get(c);
    let verdict = 'the first of its configuration';
    if (first) {
      compared++;
      const diff = differences(first, outcome);
      verdict = diff.length === 0 ? 'same as the first' : 'DIFFERS';
      if (diff.length > 0) {
        differed++;
        flips.push(`run ${run}, ${label(c)}: ${diff.join('; ')}`);
      }
    } else firsts.set(c, outcome);
    console.log(`  run ${run}/${runs} ${label(c)}: ${outcome.verdict}, ${verdict} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`soak: ${runs} full runs of ${chosen.length} configuration${chosen.length === 1 ? '' : 's'}; ${differed} of ${compared} compared differed from the first; ${seconds.toFixed(1)} s`);
  for (const f of flips) console.log(`  ${f}`);
  return differed === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`soak: ${(e as Error).message}`);
  process.exitCode = 2;
}
