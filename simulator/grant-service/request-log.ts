// The grant service's request log: what arrived at which endpoint, and what the service answered with (the
// status and bytes, and the typed documents behind them). It is the evidence of what an implementation sent.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EndpointKind } from './endpoints.ts';
import { flattenHeaders, grantKey, type GrantDocument } from './wire.ts';

export interface RecordedRequest {
  at: string;
  endpoint: EndpointKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body as text. Holds token codes: reports must redact it. */
  body: string;
  protocol: 'http' | 'https';
  tlsVersion?: string;
  /** What the service answered: a status and the bytes of the body, or what it did instead. */
  answer: { status: number; body: string } | { status: 'no-answer' | 'reset' };
  /**
   * The typed documents the answer's body was written from, when it was a redemption (absent when a fault
   * put other bytes on the wire instead). The Secret holds a private key: never print it.
   */
  documents?: readonly GrantDocument[];
  grantUid?: string;
}

/** A request as it arrived: its entry for the log (not answered yet) and its body. */
export interface Arrival {
  recorded: RecordedRequest;
  body: Buffer;
  /** The body could not be read to its end. */
  readFailed: boolean;
}

/** Reads a request to its end and describes it for the log. */
export async function receive(endpoint: EndpointKind, req: http.IncomingMessage): Promise<Arrival> {
  const chunks: Buffer[] = [];
  let readFailed = false;
  try {
    for await (const c of req) chunks.push(c as Buffer);
  } catch {
    readFailed = true;
  }
  const body = Buffer.concat(chunks);
  const tls = (req.socket as TLSSocket).encrypted ? (req.socket as TLSSocket) : undefined;
  const recorded: RecordedRequest = {
    at: new Date().toISOString(),
    endpoint,
    method: req.method ?? '',
    path: req.url ?? '',
    headers: flattenHeaders(req.headers),
    body: body.toString('utf8'),
    protocol: tls ? 'https' : 'http',
    tlsVersion: tls?.getProtocol() ?? undefined,
    answer: { status: 0, body: '' },
  };
  return { recorded, body, readFailed };
}

export class RequestLog {
  private readonly entries: RecordedRequest[] = [];
  private readonly listeners = new Set<(r: RecordedRequest) => void>();

  /** Adds an answered request and tells every listener. */
  add(r: RecordedRequest): void {
    this.entries.push(r);
    for (const l of this.listeners) l(r);
  }

  /** The requests for one grant (also those it was never found for, by their path) and/or at one endpoint. */
  filter(filter: { grantUid?: string; endpoint?: EndpointKind } = {}): RecordedRequest[] {
    const { grantUid, endpoint } = filter;
    return this.entries.filter((r) => (!grantUid || requestUid(r) === grantUid) && (!endpoint || r.endpoint === endpoint));
  }

  /** Calls `listener` for every request as it is added; returns a function that unsubscribes. */
  subscribe(listener: (r: RecordedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

function requestUid(r: RecordedRequest): string | undefined {
  return r.grantUid ?? (grantKey(r.path) || undefined);
}
