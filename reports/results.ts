// A run's results: every scenario's outcome with its evidence, rolled up per requirement, family and
// verdict. messages.ts rebuilds the scenarios from cucumber's message stream, rollup.ts rolls them up;
// the reports and the CLI summary render this model.
import type { Side } from '../adapters/contract.ts';
import type { Requirement } from './catalogue.ts';
import type { Evidence } from './evidence.ts';

export const CONTEXT_MEDIA_TYPE = 'application/vnd.accesstoken-conformance.context+json';
export const EVIDENCE_MEDIA_TYPE = 'application/vnd.accesstoken-conformance.evidence+json';

export type ScenarioStatus = 'passed' | 'failed' | 'unsupported' | 'skipped';

export interface ScenarioResult {
  name: string;
  uri: string;
  /** Line of the scenario (or its example row) in the feature file. */
  line?: number;
  requirementIds: string[];
  status: ScenarioStatus;
  durationMs: number;
  /**
   * The first failing step and its message: the error's own message (what was expected against what was
   * observed). `details` is cucumber's formatted text (the message or a diff, and the stack trace).
   */
  failure?: { step: string; message: string; details?: string };
  unsupported: string[];
  evidence?: Evidence;
}

export type RequirementOutcome = 'passed' | 'failed' | 'warning' | 'unsupported' | 'not-run' | 'expected-failure';

export interface BaselineEntry {
  id: string;
  reason: string;
  link?: string;
}

export interface RequirementResult extends Requirement {
  result: RequirementOutcome;
  scenarioResults: ScenarioResult[];
  durationMs: number;
  /** The baseline entry that expects this requirement to fail, if any. */
  expected?: BaselineEntry;
}

export type Verdict = 'Conformant' | 'Conformant with warnings' | 'Not conformant';

export interface ImplementationInfo {
  name: string;
  version?: string;
  features: string[];
  organization?: string;
  url?: string;
  contact?: string;
}

export interface RunResult {
  suite: { name: string; version: string };
  implementation: ImplementationInfo;
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  requirements: RequirementResult[];
  scenarios: ScenarioResult[];
  verdict: Verdict;
  /** MUST rules filtered out, skipped or unsupported: the verdict covers only part of the catalogue. */
  partial: boolean;
  /** Baseline entries whose requirement now passes: the list can shrink. */
  fixedExpectations: BaselineEntry[];
  mustPassed: number;
  mustTotal: number;
}

/** The side a run judged, in words: what the reports call the implementation under test. */
export const SIDE_LABELS: Record<Side, string> = { redeemer: 'redeemer', 'grant-service': 'grant service' };

/** The side a run judged (options.side; a result from before there were two sides judged the redeemer). */
export function sideOf(result: Pick<RunResult, 'options'>): Side {
  return result.options.side === 'grant-service' ? 'grant-service' : 'redeemer';
}
