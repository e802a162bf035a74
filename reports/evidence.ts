// What a failed scenario leaves behind for the reader: the site, what the implementation showed (or why
// it could not be asked), and every request that reached the grant service — or, when a grant service is
// judged, the AccessGrants it showed and every exchange the suite had with it. The hooks collect it once,
// redacted, into an attachment; the results ingestion and the reports read it back with this same type.
import type { GrantServiceImplementation, Implementation, IssuingSite, Observation, Side, Site } from '../adapters/contract.ts';
import type { AccessGrant } from '../model/resources.ts';
import type { RecordedRequest } from '../simulator/grant-service/service.ts';
import { redactValue } from '../model/redact.ts';

/** The fields of a recorded request that the transcript keeps, in the order the attachment lists them. */
const TRANSCRIPT_FIELDS = ['at', 'endpoint', 'method', 'path', 'headers', 'protocol', 'tlsVersion', 'body', 'answer'] as const;

/** One request that reached the grant service, as the transcript shows it. */
export type TranscriptEntry = Pick<RecordedRequest, (typeof TRANSCRIPT_FIELDS)[number]>;

/** In place of an observation when observe() threw, did not return in time, or was not called. */
export interface ObserveFailure {
  error: string;
}

/** What a grant service under test showed: its AccessGrants, with their status. */
export interface GrantObservation {
  accessGrants: AccessGrant[];
}

/**
 * One request the suite made to a grant service under test, and what came back (steps/support/issuing.ts
 * records them; fields a probe adds of its own are shown as they are).
 */
export interface GrantExchange {
  grant?: string;
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  /** The status code, or absent when no HTTP answer arrived. */
  status?: number;
  body?: string;
  /** Why no answer arrived (a refused handshake, a reset, a timeout). */
  error?: string;
}

/** At most this many exchanges are kept in the evidence: the first and last halves of a long scenario's. */
export const MAX_EXCHANGES = 60;

export interface Evidence {
  /** The side judged; absent in the redeemer's evidence (as before there were two). */
  side?: Side;
  /** The redeeming site, or (grant service) the issuing site. */
  site?: Site | IssuingSite;
  observed?: Observation | GrantObservation | ObserveFailure;
  /** Redeemer: every request that reached the suite's grant service. */
  transcript?: TranscriptEntry[];
  /** Grant service: every exchange the suite had with it (long ones cut to MAX_EXCHANGES). */
  exchanges?: GrantExchange[];
  /** How many exchanges were left out of `exchanges` (from the middle). */
  exchangesLeftOut?: number;
}

/** The message of observe()'s failure, when the evidence holds one instead of an observation. */
export function observeError(evidence: Evidence): string | undefined {
  // read loosely: an implementation's observation may be anything once it has been through JSON
  const error = (evidence.observed as Partial<ObserveFailure> | null | undefined)?.error;
  return error === undefined ? undefined : String(error);
}

function transcriptEntry(request: RecordedRequest): TranscriptEntry {
  return Object.fromEntries(TRANSCRIPT_FIELDS.map((field) => [field, request[field]])) as TranscriptEntry;
}

/** The errors of the suite's own bound on a call (steps/support/bounded.ts), known by name. */
const SUITE_BOUNDS = ['CallTimeoutError', 'NotAnsweringError'];

/** What an implementation shows once more, or why it could not say. */
async function observing<T>(observe: () => Promise<T>): Promise<T | ObserveFailure> {
  try {
    return await observe();
  } catch (e) {
    const error = e as Error;
    // the suite's bound speaks for itself: "observe() did not return within 3000 ms", "… was not called: …"
    if (SUITE_BOUNDS.includes(error.name)) return { error: error.message };
    return { error: `observe() failed: ${error.message}` };
  }
}

export interface EvidenceSources {
  implementation: Pick<Implementation, 'observe'>;
  site: Site;
  /** The grant service's request log for the scenario. */
  requests: readonly RecordedRequest[];
  /** The codes the scenario used: hidden wherever they appear. */
  secrets: Iterable<string>;
}

/** Observes the site once more and gathers the evidence, redacted. */
export async function collectEvidence({ implementation, site, requests, secrets }: EvidenceSources): Promise<Evidence> {
  const observed = await observing(() => implementation.observe(site));
  return redactValue({ site, observed, transcript: requests.map(transcriptEntry) }, secrets);
}

export interface GrantEvidenceSources {
  issuer: Pick<GrantServiceImplementation, 'observe'>;
  site: IssuingSite;
  exchanges: readonly GrantExchange[];
  /** The codes the scenario used or saw: hidden wherever they appear. */
  secrets: Iterable<string>;
}

/** Asks the grant service for its grants once more and gathers the evidence, redacted. */
export async function collectGrantEvidence({ issuer, site, exchanges, secrets }: GrantEvidenceSources): Promise<Evidence> {
  const observed = await observing(async () => ({ accessGrants: (await issuer.observe(site)).accessGrants }));
  const half = MAX_EXCHANGES / 2;
  const kept = exchanges.length > MAX_EXCHANGES ? [...exchanges.slice(0, half), ...exchanges.slice(-half)] : [...exchanges];
  const evidence: Evidence = { side: 'grant-service', site, observed, exchanges: kept };
  if (exchanges.length > kept.length) evidence.exchangesLeftOut = exchanges.length - kept.length;
  return redactValue(evidence, secrets);
}

/**
 * Reads back an evidence attachment. It was written by collectEvidence in this suite's own hook, but what
 * it holds came from an implementation: readers stay defensive about the contents.
 */
export function parseEvidence(json: string): Evidence {
  return JSON.parse(json) as Evidence;
}
