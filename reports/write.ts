// Writes the report files that cucumber does not: filled in by the reports module.
import type { RunResult } from './results.ts';

export async function writeReports(_result: RunResult, _reportDir: string): Promise<string[]> {
  return [];
}
