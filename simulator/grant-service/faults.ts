// Faults the grant service injects on demand, and how each changes an exchange: some answer instead of
// the registry, one changes the request the registry sees, some change the documents of a redemption, and
// a few put deliberately broken bytes on the wire. Holding, never answering, resetting, cutting an answer
// off and stalling in the middle of one need the connection, so the service carries those out itself
// (stalling the TLS handshake even before there is a request: see Endpoints.stallHandshakes).
import { statusText } from '../go-http.ts';
import type { GrantRequest } from './registry.ts';
import { paddingData } from './hostile.ts';
import { httpError, type GrantAnswer, type GrantDocument } from './wire.ts';
import type { OwnerReference } from '../../model/resources.ts';

export type Fault =
  | { kind: 'status'; status: number; body: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'no-answer' }
  | { kind: 'reset' }
  | { kind: 'body'; body: string }
  | { kind: 'secret-only' }
  | { kind: 'append-documents'; documents: readonly GrantDocument[] }
  | { kind: 'append-text'; text: string }
  | { kind: 'rename'; name: string }
  | { kind: 'redirect'; location: string; status: number }
  | { kind: 'namespace'; namespace: string }
  | { kind: 'owner-references'; references: readonly OwnerReference[] }
  | { kind: 'pad-secret'; bytes: number }
  | { kind: 'cut-off'; framing: Framing; at?: number }
  | { kind: 'stall'; after: 'headers' | 'half-body' };

/** How an answer's length is told: a Content-Length header, or chunks ending with a last, empty chunk. */
export type Framing = 'content-length' | 'chunked';

/**
 * How the bytes of an answer go on the wire: whole; cut off after `at` bytes (the connection closed before
 * the announced length or the last chunk); or stalled after `at` bytes, the headers (with the whole
 * length announced) already sent, until the service lets go.
 */
export type Delivery =
  | { kind: 'whole' }
  | { kind: 'cut-off'; framing: Framing; at: number }
  | { kind: 'stall'; at: number };

/** The fault in force, for a number of requests (Infinity: until cleared). A new fault replaces it. */
export class PendingFault {
  private pending: { fault: Fault; remaining: number } | undefined;

  set(fault: Fault, times: number): void {
    this.pending = { fault, remaining: times };
  }

  clear(): void {
    this.pending = undefined;
  }

  /** The fault for the request that just arrived, counting it against the fault's number of requests. */
  take(): Fault | undefined {
    if (!this.pending) return undefined;
    const { fault } = this.pending;
    this.pending.remaining -= 1;
    if (this.pending.remaining <= 0) this.pending = undefined;
    return fault;
  }
}

/** The body failWith writes when it is given none: Go's http.StatusText, or "Error" for a code Go does not know. */
export function defaultFailureText(status: number): string {
  return statusText(status) || 'Error';
}

/** The answer a fault gives without asking the registry (nothing is redeemed), if it is such a fault. */
export function answerInstead(fault: Fault | undefined): GrantAnswer | undefined {
  switch (fault?.kind) {
    case 'status':
      // as http.Error writes it, without doubling a trailing newline the body already has
      return httpError(fault.status, fault.body.endsWith('\n') ? fault.body.slice(0, -1) : fault.body);
    case 'redirect':
      // Go's http.Redirect
      return {
        status: fault.status,
        headers: { location: fault.location, 'content-type': 'text/html; charset=utf-8' },
        text: `<a href="${fault.location}">Redirect</a>.\n`,
      };
    default:
      return undefined;
  }
}

/** The request as the registry is to decide it: nameAnswer makes it as if the `name` header said so. */
export function requestUnder(fault: Fault | undefined, request: GrantRequest): GrantRequest {
  return fault?.kind === 'rename' ? { ...request, headers: { ...request.headers, name: fault.name } } : request;
}

/** A successful redemption's answer as the fault changes it: fewer or more documents, or other bytes. */
export function changeRedemption(fault: Fault | undefined, answer: GrantAnswer): GrantAnswer {
  switch (fault?.kind) {
    case 'body':
      return { ...answer, documents: undefined, text: fault.body };
    case 'secret-only':
      return { ...answer, documents: answer.documents?.filter((d) => d.kind === 'Secret') };
    case 'append-documents':
      return { ...answer, documents: [...(answer.documents ?? []), ...fault.documents] };
    case 'append-text':
      return { ...answer, text: (answer.text ?? '') + fault.text };
    case 'namespace':
      return { ...answer, documents: answer.documents?.map((d) => ({ ...d, metadata: { ...d.metadata, namespace: fault.namespace } })) };
    case 'owner-references':
      return { ...answer, documents: answer.documents?.map((d) => ({ ...d, metadata: { ...d.metadata, ownerReferences: [...fault.references] } })) };
    case 'pad-secret':
      return {
        ...answer,
        documents: answer.documents?.map((d) => (d.kind === 'Secret' ? { ...d, data: { ...d.data, padding: paddingData(fault.bytes) } } : d)),
      };
    default:
      return answer;
  }
}

/** How the bytes of an answer (`written`) go on the wire under the fault. */
export function delivery(fault: Fault | undefined, written: string): Delivery {
  switch (fault?.kind) {
    case 'cut-off':
      return { kind: 'cut-off', framing: fault.framing, at: Math.min(fault.at ?? middleOfTheSecret(written), written.length) };
    case 'stall':
      return { kind: 'stall', at: fault.after === 'headers' ? 0 : Math.floor(written.length / 2) };
    default:
      return { kind: 'whole' };
  }
}

/**
 * Where to cut an answer in the middle of its Secret: half-way through the value of `tls.key`, so that
 * what arrived still reads as a Secret (a plain YAML scalar may end anywhere) whose key is cut short and
 * whose Links never came. Half-way through the answer when it has no `tls.key`.
 */
export function middleOfTheSecret(written: string): number {
  const key = /^ +tls\.key: /m.exec(written);
  if (!key) return Math.floor(written.length / 2);
  const start = key.index + key[0].length;
  const end = written.indexOf('\n', start);
  return start + Math.floor(((end < 0 ? written.length : end) - start) / 2);
}
