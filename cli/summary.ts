// The console summary after a run: one line per rule family, the failures, the verdict.
import { sideOf, type RunResult } from '../reports/results.ts';

const COLUMNS = ['passed', 'failed', 'warning', 'unsupported', 'not-run', 'expected-failure'] as const;

export function formatSummary(result: RunResult): string {
  const lines: string[] = [];
  const families = [...new Set(result.requirements.map((r) => r.family))];
  const width = Math.max(...families.map((f) => f.length), 'family'.length);
  lines.push('', `${'family'.padEnd(width)}  ${COLUMNS.map((c) => c.padStart(c.length)).join('  ')}`);
  for (const family of families) {
    const reqs = result.requirements.filter((r) => r.family === family);
    lines.push(`${family.padEnd(width)}  ${COLUMNS.map((c) => String(reqs.filter((r) => r.result === c).length).padStart(c.length)).join('  ')}`);
  }
  const problems = result.requirements.filter((r) => ['failed', 'warning', 'expected-failure'].includes(r.result));
  if (problems.length > 0) lines.push('');
  for (const r of problems) {
    const label = r.result === 'failed' ? 'FAILED' : r.result === 'warning' ? 'WARNING' : 'EXPECTED';
    lines.push(`${label} ${r.id} (${r.level}) ${r.statement}`);
    for (const s of r.scenarioResults.filter((x) => x.status === 'failed')) {
      lines.push(`  - ${s.name}: ${(s.failure?.message ?? '').split('\n')[0]}`);
    }
    if (r.expected) lines.push(`  expected failure: ${r.expected.reason}${r.expected.link ? ` (${r.expected.link})` : ''}`);
  }
  for (const b of result.fixedExpectations) lines.push(`NOW PASSING ${b.id}: listed in the baseline, remove it`);
  const stopped = result.stoppedAnswering;
  if (stopped) {
    const n = stopped.scenariosNotRun;
    lines.push('', `NOT RUN ${n} scenario${n === 1 ? '' : 's'} (${stopped.requirementsNotRun.length} requirements): ${stopped.reason}`);
    for (const d of stopped.details) lines.push(`  ${d}`);
  }
  const interrupted = result.interrupted;
  if (interrupted) {
    const n = interrupted.scenariosNotRun;
    const k = interrupted.requirementsNotRun.length;
    lines.push('', `NOT RUN ${n} scenario${n === 1 ? '' : 's'} (${k} requirement${k === 1 ? '' : 's'}): ${interrupted.reason}`);
  }
  const counts = { scenarios: result.scenarios.length, passed: result.scenarios.filter((s) => s.status === 'passed').length };
  lines.push(
    '',
    // a grant service is named as one; the redeemer's line reads as it did before there were two sides
    `${result.implementation.name}${result.implementation.version ? ` ${result.implementation.version}` : ''}${sideOf(result) === 'grant-service' ? ' (grant service)' : ''}: ` +
      `${counts.passed}/${counts.scenarios} scenarios passed, ${result.mustPassed}/${result.mustTotal} MUST rules passed`,
    `Verdict: ${result.verdict}${verdictNotes(result)}`,
  );
  return lines.join('\n');
}

function verdictNotes(result: RunResult): string {
  const notes: string[] = [];
  if (result.stoppedAnswering) notes.push(result.stoppedAnswering.reason);
  // interrupted: the verdict is of the part that ran
  if (result.interrupted) notes.push(`${result.interrupted.reason}: partial, of what ran`);
  else if (result.partial) notes.push('partial: some MUST rules did not run');
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}
