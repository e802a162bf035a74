// report.yaml: the machine-readable report (after Gateway API's ConformanceReport). Documented field by
// field in docs/report-format.md; a change that removes or renames a field is a new apiVersion.
import { countOutcomes, countScenarios, countsByFamily, countsByFeature, idsWith, runMode, type OutcomeCounts, type ScenarioCounts } from './counts.ts';
import { RedactionGuard } from './redaction-guard.ts';
import { emitYaml } from './yaml-emit.ts';
import { sideOf, type BaselineEntry, type Interrupted, type RequirementOutcome, type RunResult, type StoppedAnswering, type Verdict } from './results.ts';
import type { Side } from '../adapters/contract.ts';

export const REPORT_API_VERSION = 'conformance.accesstoken.skupper.io/v1alpha1';
export const REPORT_KIND = 'ConformanceReport';

export interface ConformanceReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: typeof REPORT_KIND;
  /** The side judged: `redeemer` or `grant-service`. */
  side: Side;
  date: string;
  implementation: {
    name: string;
    version: string | null;
    organization: string | null;
    url: string | null;
    contact: string | null;
    features: string[];
  };
  suite: { name: string; version: string };
  mode: 'full' | 'filtered';
  selection: { tags: string | null; requirements: string[] };
  options: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
  result: {
    verdict: Verdict;
    partial: boolean;
    must: { passed: number; total: number; summary: string };
    /** null unless the implementation stopped answering (the verdict is then Not conformant). */
    stoppedAnswering: StoppedAnswering | null;
    /** null unless the run was interrupted (Ctrl-C) before every scenario ran (it is then partial). */
    interrupted: Interrupted | null;
  };
  summary: OutcomeCounts;
  families: Record<string, OutcomeCounts>;
  features: Record<string, OutcomeCounts>;
  scenarios: ScenarioCounts;
  failedRequirements: string[];
  warningRequirements: string[];
  unsupportedRequirements: string[];
  skippedRequirements: string[];
  expectedFailures: BaselineEntry[];
  nowPassing: BaselineEntry[];
  requirements: { id: string; level: string; family: string; result: RequirementOutcome; scenarios: number; durationMs: number }[];
}

function entry(b: BaselineEntry): BaselineEntry {
  return b.link ? { id: b.id, reason: b.reason, link: b.link } : { id: b.id, reason: b.reason };
}

export function buildReport(result: RunResult): ConformanceReport {
  const impl = result.implementation;
  const o = result.options;
  const { impl: implSpec, tags, requirements, ...rest } = o;
  return {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    side: sideOf(result),
    date: result.finishedAt,
    implementation: {
      name: impl.name,
      version: impl.version ?? null,
      organization: impl.organization ?? null,
      url: impl.url ?? null,
      contact: impl.contact ?? null,
      features: [...impl.features],
    },
    suite: { name: result.suite.name, version: result.suite.version },
    mode: runMode(result),
    selection: {
      tags: typeof tags === 'string' && tags !== '' ? tags : null,
      requirements: Array.isArray(requirements) ? requirements.map(String) : [],
    },
    options: { impl: implSpec ?? null, ...rest },
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    result: {
      verdict: result.verdict,
      partial: result.partial,
      must: { passed: result.mustPassed, total: result.mustTotal, summary: `${result.mustPassed}/${result.mustTotal}` },
      stoppedAnswering: result.stoppedAnswering
        ? {
            reason: result.stoppedAnswering.reason,
            details: [...result.stoppedAnswering.details],
            scenariosNotRun: result.stoppedAnswering.scenariosNotRun,
            requirementsNotRun: [...result.stoppedAnswering.requirementsNotRun],
          }
        : null,
      interrupted: result.interrupted
        ? {
            reason: result.interrupted.reason,
            scenariosNotRun: result.interrupted.scenariosNotRun,
            requirementsNotRun: [...result.interrupted.requirementsNotRun],
          }
        : null,
    },
    summary: countOutcomes(result.requirements),
    families: countsByFamily(result),
    features: countsByFeature(result),
    scenarios: countScenarios(result),
    failedRequirements: idsWith(result, 'failed'),
    warningRequirements: idsWith(result, 'warning'),
    unsupportedRequirements: idsWith(result, 'unsupported'),
    skippedRequirements: idsWith(result, 'not-run'),
    expectedFailures: result.requirements.filter((r) => r.result === 'expected-failure' && r.expected).map((r) => entry(r.expected!)),
    nowPassing: result.fixedExpectations.map(entry),
    requirements: result.requirements.map((r) => ({
      id: r.id,
      level: r.level,
      family: r.family,
      result: r.result,
      scenarios: r.scenarioResults.length,
      durationMs: Math.round(r.durationMs),
    })),
  };
}

export function renderYamlReport(result: RunResult, guard = RedactionGuard.fromTexts(JSON.stringify(result))): string {
  const report = guard.value(buildReport(result));
  return `# AccessToken conformance report (docs/report-format.md)\n${emitYaml(report)}`;
}
