// The requirement catalogue, read from the feature files themselves: each `Rule:` carries its ID and
// level as tags, its statement as its name and its source on a `Source:` line. One source of truth.
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type GherkinDocument } from '@cucumber/messages';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Side } from '../adapters/contract.ts';

export type Level = 'MUST' | 'SHOULD';

export interface Requirement {
  id: string;
  level: Level;
  family: string;
  /** The side the rule judges: a redeemer (consumes tokens) or a grant service (issues them). */
  side: Side;
  statement: string;
  source: string;
  /** Optional features the rule needs (`@feature:<name>` on the rule or its feature). */
  features: string[];
  /** Feature file, relative to the features directory. */
  file: string;
  line: number;
  /** Names of the scenarios that prove the rule. */
  scenarios: string[];
}

export const REQUIREMENT_ID = /^AT-[A-Z]+-\d{3}$/;

/** The features a rule needs that an implementation does not claim: none, and it can be judged. */
export function missingFeatures(rule: Requirement, claimed: Iterable<string>): string[] {
  const have = new Set(claimed);
  return rule.features.filter((f) => !have.has(f));
}
const SIDES: readonly Side[] = ['redeemer', 'grant-service'];

export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

function tagNames(tags: readonly { name: string }[]): string[] {
  return tags.map((t) => t.name.replace(/^@/, ''));
}

export function parseFeatureFile(text: string, file: string): Requirement[] {
  return requirementsOf(parseGherkin(text), file);
}

function parseGherkin(text: string, newId: IdGenerator.NewId = IdGenerator.incrementing()): GherkinDocument {
  return new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(text);
}

/** A directory's feature files, read and parsed once: `file` relative to the directory, `path` absolute. */
export interface FeatureDocument {
  file: string;
  path: string;
  doc: GherkinDocument;
}

export function featureDocuments(featuresDir: string, newId: IdGenerator.NewId = IdGenerator.incrementing()): FeatureDocument[] {
  return readdirSync(featuresDir)
    .filter((f) => f.endsWith('.feature'))
    .sort()
    .map((f) => {
      const path = join(featuresDir, f);
      return { file: relative(featuresDir, path), path, doc: parseGherkin(readFileSync(path, 'utf8'), newId) };
    });
}

function requirementsOf(doc: GherkinDocument, file: string): Requirement[] {
  const feature = doc.feature;
  if (!feature) return [];
  const featureTags = tagNames(feature.tags);
  const family = featureTags.find((t) => t.startsWith('family:'))?.slice('family:'.length);
  if (!family) throw new CatalogueError(`${file}: the feature has no @family:<name> tag`);
  const requirements: Requirement[] = [];
  for (const child of feature.children) {
    if (!child.rule) continue;
    const rule = child.rule;
    const tags = tagNames(rule.tags);
    const ids = tags.filter((t) => REQUIREMENT_ID.test(t));
    if (ids.length !== 1) throw new CatalogueError(`${file}:${rule.location.line}: a Rule needs exactly one requirement ID tag (@AT-XXX-000)`);
    const level = tags.find((t) => t === 'MUST' || t === 'SHOULD') as Level | undefined;
    if (!level) throw new CatalogueError(`${file}:${rule.location.line}: Rule ${ids[0]} needs @MUST or @SHOULD`);
    const statement = rule.name.replace(ids[0], '').trim();
    const source = /Source:\s*(.+)/.exec(rule.description ?? '')?.[1]?.trim();
    if (!source) throw new CatalogueError(`${file}:${rule.location.line}: Rule ${ids[0]} needs a "Source:" line`);
    const sides = [...new Set([...featureTags, ...tags].filter((t) => t.startsWith('side:')).map((t) => t.slice('side:'.length)))];
    const side = sides.length === 1 ? (sides[0] as Side) : undefined;
    if (!side || !SIDES.includes(side)) throw new CatalogueError(`${file}:${rule.location.line}: Rule ${ids[0]} needs exactly one @side:redeemer or @side:grant-service (on the rule or its feature)`);
    const features = [...featureTags, ...tags].filter((t) => t.startsWith('feature:')).map((t) => t.slice('feature:'.length));
    const scenarios = rule.children.filter((c) => c.scenario).map((c) => c.scenario!.name);
    if (scenarios.length === 0) throw new CatalogueError(`${file}:${rule.location.line}: Rule ${ids[0]} has no scenario`);
    requirements.push({ id: ids[0], level, family, side, statement, source, features: [...new Set(features)], file, line: rule.location.line, scenarios });
  }
  return requirements;
}

/** Every requirement in the feature files of a directory, in file order; IDs are checked to be unique. */
export function loadCatalogue(featuresDir: string): Requirement[] {
  return catalogueOf(featureDocuments(featuresDir));
}

/** The requirements of parsed feature files, in file order; IDs are checked to be unique. */
export function catalogueOf(documents: readonly FeatureDocument[]): Requirement[] {
  const all: Requirement[] = [];
  const seen = new Map<string, string>();
  for (const { file, doc } of documents) {
    for (const r of requirementsOf(doc, file)) {
      const earlier = seen.get(r.id);
      if (earlier) throw new CatalogueError(`${r.file}:${r.line}: requirement ${r.id} is also defined in ${earlier}`);
      seen.set(r.id, `${r.file}:${r.line}`);
      all.push(r);
    }
  }
  return all;
}
