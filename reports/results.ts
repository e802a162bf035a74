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
  /** Why the scenario was not run (status `skipped`), when the suite chose not to run it: STOPPED_ANSWERING or INTERRUPTED. */
  notRun?: string;
  /** The implementation stopped answering during this scenario: the calls that timed out in a row. */
  stoppedAnswering?: string;
}

/** Why a worker's remaining scenarios were not run: its implementation's calls timed out, three in a row. */
export const STOPPED_ANSWERING = 'the implementation stopped answering';

/**
 * An implementation that stopped answering: the run judged it no further (the verdict is Not conformant,
 * a failure of the implementation, whatever ran before).
 */
export interface StoppedAnswering {
  reason: typeof STOPPED_ANSWERING;
  /** The calls that timed out in a row, as each worker that gave up saw them. */
  details: string[];
  scenariosNotRun: number;
  /** Requirements none of whose scenarios ran because of it. */
  requirementsNotRun: string[];
}

/**
 * Why the scenarios left when the run was interrupted were not run (the one in progress included): Ctrl-C,
 * or SIGTERM, during `accesstoken-conformance run`.
 */
export const INTERRUPTED = 'interrupted (Ctrl-C)';

/** A run that was interrupted: the verdict covers what ran before, and the run is partial. */
export interface Interrupted {
  reason: typeof INTERRUPTED;
  scenariosNotRun: number;
  /** Requirements not judged because of it: some of their scenarios were not run, and none failed. */
  requirementsNotRun: string[];
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
  /** Why the requirement was not run (result `not-run`), when the suite chose not to run it: STOPPED_ANSWERING or INTERRUPTED. */
  notRun?: string;
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
  /**
   * MUST rules filtered out, skipped or unsupported, or the run interrupted: the verdict covers only part
   * of the catalogue.
   */
  partial: boolean;
  /** Baseline entries whose requirement now passes: the list can shrink. */
  fixedExpectations: BaselineEntry[];
  mustPassed: number;
  mustTotal: number;
  /** Set when the implementation stopped answering; the verdict is then Not conformant. */
  stoppedAnswering?: StoppedAnswering;
  /** Set when the run was interrupted (Ctrl-C) before every scenario had run; the run is then partial. */
  interrupted?: Interrupted;
}

/** The side a run judged, in words: what the reports call the implementation under test. */
export const SIDE_LABELS: Record<Side, string> = { redeemer: 'redeemer', 'grant-service': 'grant service' };

/** The side a run judged (options.side; a result from before there were two sides judged the redeemer). */
export function sideOf(result: Pick<RunResult, 'options'>): Side {
  return result.options.side === 'grant-service' ? 'grant-service' : 'redeemer';
}
