// How the suite reads an implementation's words: the judgements behind the Then steps, kept here so that
// unit tests reach them.
import assert from 'node:assert/strict';
import type { Observation } from '../../adapters/contract.ts';
import type { Settled } from './settle.ts';
import { findCondition, REDEEMED } from '../../model/conditions.ts';
import { decodeBase64, toYaml, type AccessToken, type Link } from '../../model/resources.ts';

/** Go says "x509: certificate signed by unknown authority", Node "unable to verify the first certificate", curl "SSL certificate problem". */
const VERIFICATION_FAILURE = /verif|x509|certificate|unknown authority|self[- ]signed|issuer|expired|not valid for|altname|hostname|SSL certificate problem/i;

export function namesVerificationFailure(message: string): boolean {
  return VERIFICATION_FAILURE.test(message);
}

/**
 * Fails the step with `message()` unless `condition` holds. The message is made only then: it quotes what
 * was observed as YAML, which a passing step should not pay for (nor a worker load yaml for).
 */
export function ensure(condition: unknown, message: () => string): asserts condition {
  if (!condition) assert.fail(message());
}

export function statusMessage(token: AccessToken): string {
  return findCondition(token, REDEEMED)?.message ?? token.status?.message ?? '';
}

export function describeOutcome(settled: Pick<Settled, 'token' | 'outcome'>): string {
  const message = statusMessage(settled.token);
  return settled.outcome === 'redeemed' ? 'it was redeemed' : `it failed with "${message}"`;
}

/**
 * Whether a Link has the default cost the docs name (AccessToken linkCost and Link cost: default 1): no
 * cost, which is the Link's documented default, or 1. A cost of 0 or less written on the Link is not the
 * default: Skupper's router happens to raise a cost below 1 to 1 (spec §1.3), but that is its code, not a
 * documented promise, so the suite does not lean on it.
 */
export function hasDefaultCost(link: Link): boolean {
  const cost = link.spec?.cost;
  return cost === undefined || cost === null || cost === 1;
}

export function linkNames(observation: Observation): string[] {
  return observation.links.map((l) => l.metadata.name).sort();
}

export function describeObservation(observation: Observation): string {
  const summary = {
    secrets: observation.secrets.map((s) => s.metadata.name),
    links: observation.links.map((l) => ({ name: l.metadata.name, cost: l.spec?.cost, endpoints: l.spec?.endpoints?.length })),
  };
  return toYaml(summary).trimEnd();
}

/** The Secret's data as text, whichever of data (base64) or stringData an implementation reports. */
export function secretText(secret: { data?: Record<string, string>; stringData?: Record<string, string> }, key: string): string | undefined {
  const s = secret as { data?: Record<string, string>; stringData?: Record<string, string> };
  if (s.stringData?.[key] !== undefined) return s.stringData[key];
  if (s.data?.[key] !== undefined) return decodeBase64(s.data[key]);
  return undefined;
}
