// What a run selects (a tag expression, requirement IDs, baseline entries), checked against the catalogue
// in one place for flags and conformance.yaml alike; each caller words the problem for where it came from.
import { compile } from '@cucumber/gherkin';
import { IdGenerator, type Pickle } from '@cucumber/messages';
import parseTagExpression from '@cucumber/tag-expressions';
import { join } from 'node:path';
import { catalogueOf, featureDocuments, REQUIREMENT_ID, type FeatureDocument, type Requirement } from '../reports/catalogue.ts';
import { packageRoot } from '../model/package.ts';
import type { Side } from '../adapters/contract.ts';
import { firstLine } from '../model/text.ts';
import { waitRank, type WaitPlan } from '../steps/support/slow-first.ts';

export type SelectionProblem =
  | { kind: 'tags'; tags: string; detail: string }
  /** Requirement IDs not in the catalogue; `malformed` are those not even shaped like one (AT-XXX-000). */
  | { kind: 'unknown-ids'; ids: string[]; malformed: string[] };

export interface Selection {
  tags?: string;
  requirements?: string[];
}

/** The first problem with a selection, or undefined when the catalogue can run it. */
export function selectionProblem(catalogue: readonly Requirement[], selection: Selection): SelectionProblem | undefined {
  if (selection.tags !== undefined) {
    try {
      parseTagExpression(selection.tags);
    } catch (e) {
      return { kind: 'tags', tags: selection.tags, detail: firstLine(e) };
    }
  }
  const ids = selection.requirements ?? [];
  const known = new Set(catalogue.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length === 0) return undefined;
  return { kind: 'unknown-ids', ids: unknown, malformed: unknown.filter((id) => !REQUIREMENT_ID.test(id)) };
}

/** A run judges one side: its tag expression is narrowed to that side's rules. */
export function sideExpression(side: Side, expression: string | undefined): string {
  return expression ? `@side:${side} and ${expression}` : `@side:${side}`;
}

/** The tag expression a run uses: the user's tags, narrowed to the requested requirement IDs. */
export function tagExpression(tags: string | undefined, requirements: string[]): string | undefined {
  const parts: string[] = [];
  if (tags) parts.push(`(${tags})`);
  if (requirements.length > 0) parts.push(`(${requirements.map((id) => `@${id}`).join(' or ')})`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

export const featuresDir = join(packageRoot, 'features');

// One id generator for the suite's documents and their pickles: ids stay unique across files
const newId = IdGenerator.incrementing();
let documents: FeatureDocument[] | undefined;
/** The suite's feature files, read and parsed once per process: the catalogue and the plan both come from them. */
function suiteDocuments(): FeatureDocument[] {
  documents ??= featureDocuments(featuresDir, newId);
  return documents;
}

let catalogue: Requirement[] | undefined;
/** The suite's catalogue, parsed once per process however many parts of a run ask for it. */
export function suiteCatalogue(): Requirement[] {
  catalogue ??= catalogueOf(suiteDocuments());
  return catalogue;
}

let pickles: Pickle[] | undefined;
/** Every scenario of the suite as cucumber runs it (one per Examples row), parsed once per process. */
function suitePickles(): Pickle[] {
  pickles ??= suiteDocuments().flatMap(({ doc, path }) => compile(doc, path, newId));
  return pickles;
}

/** Scenarios that start another grant service (mockttp, in a thread the run starts early: cli/run.ts). */
export const OTHER_GRANT_SERVICE_TAG = '@other-grant-service';

/**
 * The scenarios a tag expression selects, as cucumber will select them: the plan's size, how many are
 * @slow and wait out a client timeout (a parallel run starts those first, and gets its workers from them),
 * and how many start another grant service.
 * Our own parse: cucumber's loadSources costs ~0.2 s more.
 */
export function plannedScenarios(expression: string): { scenarios: number; otherGrantServices: number } & WaitPlan {
  const selects = parseTagExpression(expression);
  let scenarios = 0;
  let otherGrantServices = 0;
  let slow = 0;
  let clientTimeouts = 0;
  for (const pickle of suitePickles()) {
    if (!selects.evaluate(pickle.tags.map((t) => t.name))) continue;
    scenarios++;
    const rank = waitRank(pickle);
    if (rank >= 1) slow++;
    if (rank === 2) clientTimeouts++;
    if (pickle.tags.some((t) => t.name === OTHER_GRANT_SERVICE_TAG)) otherGrantServices++;
  }
  return { scenarios, slow, clientTimeouts, otherGrantServices };
}
