// What a failed scenario leaves behind for the reader: the site, what the implementation showed (or why
// it could not be asked), and every request that reached the grant service. The hooks collect it once,
// redacted, into an attachment; the results ingestion and the reports read it back with this same type.
import type { Implementation, Observation, Site } from '../adapters/contract.ts';
import type { RecordedRequest } from '../simulator/grant-service/service.ts';
import { redactValue } from '../model/redact.ts';

/** The fields of a recorded request that the transcript keeps, in the order the attachment lists them. */
const TRANSCRIPT_FIELDS = ['at', 'endpoint', 'method', 'path', 'headers', 'protocol', 'tlsVersion', 'body', 'answer'] as const;

/** One request that reached the grant service, as the transcript shows it. */
export type TranscriptEntry = Pick<RecordedRequest, (typeof TRANSCRIPT_FIELDS)[number]>;

/** In place of an observation when observe() threw. */
export interface ObserveFailure {
  error: string;
}

export interface Evidence {
  site?: Site;
  observed?: Observation | ObserveFailure;
  transcript?: TranscriptEntry[];
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
  let observed: Observation | ObserveFailure;
  try {
    observed = await implementation.observe(site);
  } catch (e) {
    observed = { error: `observe() failed: ${(e as Error).message}` };
  }
  return redactValue({ site, observed, transcript: requests.map(transcriptEntry) }, secrets);
}

/**
 * Reads back an evidence attachment. It was written by collectEvidence in this suite's own hook, but what
 * it holds came from an implementation: readers stay defensive about the contents.
 */
export function parseEvidence(json: string): Evidence {
  return JSON.parse(json) as Evidence;
}
