// The mock grant service: HTTPS endpoints (endpoints.ts) in front of a GrantRegistry, with a request log
// (request-log.ts) and faults on demand (faults.ts). An answer stays typed documents until serve() writes
// it. mockttp serves the *other* grant service that redirects point to (see ForeignGrantService).
import type http from 'node:http';
import { GrantRegistry, type Grant, type GrantOptions } from './registry.ts';
import { Endpoints, type EndpointKind, type PrimaryEndpointOptions } from './endpoints.ts';
import { answerInstead, changeRedemption, defaultFailureText, delivery, PendingFault, requestUnder, type Delivery, type Fault, type Framing } from './faults.ts';
import { receive, RequestLog, type RecordedRequest } from './request-log.ts';
import { grantKey, httpError, wireBody, type GrantAnswer, type GrantDocument } from './wire.ts';
import { getRunPki, type Pki } from '../pki.ts';
import { SKUPPER_API_VERSION, type AccessToken, type OwnerReference } from '../../model/resources.ts';

// The service's public face: what scenarios and reports name when they talk about the service.
export type { EndpointKind } from './endpoints.ts';
export type { RecordedRequest } from './request-log.ts';

export interface GrantServiceOptions {
  pki?: Pki;
  /** Address to listen on; default 127.0.0.1. */
  listenHost?: string;
  /** Host name put in grant URLs; default 127.0.0.1. Must be one of the PKI's hosts. */
  urlHost?: string;
  port?: number;
  /** The registry that decides requests (default: the reference's GrantRegistry; a subclass changes a decision). */
  registry?: (pki: Pki) => GrantRegistry;
  /** How the primary endpoint serves (default: Skupper's, TLS 1.3 only). */
  primary?: PrimaryEndpointOptions;
}

export class GrantService {
  readonly registry: GrantRegistry;
  private readonly endpoints: Endpoints;
  private readonly log = new RequestLog();
  private readonly fault = new PendingFault();
  private readonly held = new Set<() => void>();
  /** Answers stalled on purpose (stallAfterHeaders, stallMidBody), each until released or its client leaves. */
  private readonly stalls = new Set<() => void>();
  private primaryUrl = '';

  private constructor(readonly pki: Pki, readonly urlHost: string, listenHost: string, port: number, options: GrantServiceOptions) {
    this.registry = options.registry?.(pki) ?? new GrantRegistry(pki);
    this.endpoints = new Endpoints(pki, { listenHost, urlHost, port, primary: options.primary }, (kind, req, res) => this.serve(kind, req, res));
  }

  /** Starts a grant service with its primary (TLS 1.3 only, like Skupper's) endpoint listening. */
  static async start(options: GrantServiceOptions = {}): Promise<GrantService> {
    const pki = options.pki ?? (await getRunPki());
    const service = new GrantService(pki, options.urlHost ?? '127.0.0.1', options.listenHost ?? '127.0.0.1', options.port ?? 0, options);
    service.primaryUrl = await service.endpoint('primary');
    return service;
  }

  /** Base URL (`https://127.0.0.1:PORT`) of the primary endpoint. */
  get url(): string {
    return this.primaryUrl;
  }

  // ------------------------------------------------------------------------------------------
  // grants

  createGrant(options: GrantOptions = {}): GrantHandle {
    return new GrantHandle(this, this.registry.create(options));
  }

  // ------------------------------------------------------------------------------------------
  // faults: each applies to the next `times` requests (default: all until reset())

  /** Answers every request with this status and body (as Go's http.Error writes it). */
  failWith(status: number, body = defaultFailureText(status), times = Infinity): this {
    return this.inject({ kind: 'status', status, body }, times);
  }
  /**
   * Answers as normal, after a delay that starts once the registry has decided, so a redemption is
   * counted before its answer is held, as Skupper's grant server persists the count before it generates
   * the answer (spec §2.4): a client that gives up meanwhile has spent the redemption.
   */
  answerSlowly(delayMs: number, times = Infinity): this {
    return this.inject({ kind: 'slow', delayMs }, times);
  }
  /** Reads the request and never answers (until reset() or stop()). */
  neverAnswer(times = Infinity): this {
    return this.inject({ kind: 'no-answer' }, times);
  }
  /** Resets the connection once the request has arrived. */
  resetConnection(times = Infinity): this {
    return this.inject({ kind: 'reset' }, times);
  }
  /** Answers 200 with this body instead of the redemption documents (empty or malformed YAML). */
  respondWithBody(body: string, times = Infinity): this {
    return this.inject({ kind: 'body', body }, times);
  }
  /** Redeems as normal but answers with the Secret alone, no Link. */
  respondWithSecretOnly(times = Infinity): this {
    return this.inject({ kind: 'secret-only' }, times);
  }
  /** Redeems as normal and answers these documents after the last Link (extra Links). */
  appendDocuments(documents: readonly GrantDocument[], times = Infinity): this {
    return this.inject({ kind: 'append-documents', documents }, times);
  }
  /** Redeems as normal and writes this text after the last Link (broken documents, bytes that are no YAML). */
  appendToResponse(text: string, times = Infinity): this {
    return this.inject({ kind: 'append-text', text }, times);
  }
  /** Redeems as normal but names the Secret and Links as if the `name` header were `name`. */
  nameAnswer(name: string, times = Infinity): this {
    return this.inject({ kind: 'rename', name }, times);
  }
  /** Answers with a redirect to another location (for example a ForeignGrantService). */
  redirectTo(location: string, status = 307, times = Infinity): this {
    return this.inject({ kind: 'redirect', location, status }, times);
  }
  /** Redeems as normal and puts every document of the answer in `namespace` (metadata.namespace). */
  placeAnswerIn(namespace: string, times = Infinity): this {
    return this.inject({ kind: 'namespace', namespace }, times);
  }
  /** Redeems as normal and gives every document of the answer these owner references. */
  ownAnswerBy(references: readonly OwnerReference[], times = Infinity): this {
    return this.inject({ kind: 'owner-references', references }, times);
  }
  /** Redeems as normal and adds an entry of `bytes` bytes to the Secret's data: an answer that size. */
  padSecret(bytes: number, times = Infinity): this {
    return this.inject({ kind: 'pad-secret', bytes }, times);
  }
  /**
   * Redeems as normal, then closes the connection after `bytes` bytes of the body (default: half-way
   * through the Secret's tls.key), before the Content-Length it announced or, `chunked`, before the last
   * chunk. The redemption has been counted.
   */
  cutOffAfter(bytes?: number, framing: Framing = 'content-length', times = Infinity): this {
    return this.inject({ kind: 'cut-off', framing, at: bytes }, times);
  }
  /** Redeems as normal, sends the headers (the whole length announced) and then nothing (until recover() or stop(), or until the client leaves). */
  stallAfterHeaders(times = Infinity): this {
    return this.inject({ kind: 'stall', after: 'headers' }, times);
  }
  /** Redeems as normal, sends the headers and half the body, and then nothing (until recover() or stop(), or until the client leaves). */
  stallMidBody(times = Infinity): this {
    return this.inject({ kind: 'stall', after: 'half-body' }, times);
  }
  /**
   * Takes the next connections (`times` of them) to the primary endpoint and never goes on with their TLS
   * handshake: no request ever arrives (until recover() or stop() closes them, or the client leaves; reset() stalls no new one).
   */
  stallHandshake(times = Infinity): this {
    this.endpoints.stallHandshakes(times);
    return this;
  }

  private inject(fault: Fault, times: number): this {
    this.fault.set(fault, times);
    return this;
  }

  /** Clears faults and releases held requests, stalled answers and stalled handshakes: the service answers normally again. */
  recover(): this {
    this.fault.clear();
    this.releaseHeld();
    this.releaseStalls();
    return this;
  }

  /**
   * Clears faults, releases held requests, forgets the request log and every grant. Answers and handshakes
   * stalled on purpose stay stalled (no new one is) until their client gives up: closing them would hand a
   * controller a new error, and with it a new attempt that lands in the next scenario.
   */
  reset(): void {
    this.fault.clear();
    this.releaseHeld();
    this.endpoints.stopStalling();
    this.log.clear();
    for (const uid of this.registry.grantUids()) this.earlierGrants.add(uid);
    this.registry.clear();
  }

  /**
   * The grants of earlier scenarios (reset() forgot them). A controller may still be retrying one of their
   * tokens when the next scenario starts, later still when it is busy; such a request is answered (404, as
   * for any grant the service does not know) but is not the present scenario's: it stays out of its log.
   */
  private readonly earlierGrants = new Set<string>();

  /** Logs a request, unless it was for a grant of an earlier scenario. */
  private logRequest(recorded: RecordedRequest): void {
    if (this.earlierGrants.has(grantKey(recorded.path))) return;
    this.log.add(recorded);
  }

  // ------------------------------------------------------------------------------------------
  // the request log

  requests(filter: { grant?: Grant | GrantHandle; endpoint?: EndpointKind } = {}): RecordedRequest[] {
    return this.log.filter({ grantUid: filter.grant?.uid, endpoint: filter.endpoint });
  }

  /** Forgets the request log only (grants and faults stay): a long-running service keeps no history. */
  forgetRequests(): void {
    this.log.clear();
  }

  /** Calls `listener` for every request as it is answered; returns a function that unsubscribes. */
  onRequestAnswered(listener: (r: RecordedRequest) => void): () => void {
    return this.log.subscribe(listener);
  }

  // ------------------------------------------------------------------------------------------
  // endpoints

  /** Starts (once) and returns the base URL of an endpoint variant. */
  endpoint(kind: EndpointKind): Promise<string> {
    return this.endpoints.baseUrl(kind);
  }

  private async serve(kind: EndpointKind, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { recorded, body, readFailed } = await receive(kind, req);
    const fault = this.fault.take();
    let answer: GrantAnswer;
    if (readFailed) {
      answer = httpError(400, 'Request body not valid');
    } else if (fault?.kind === 'no-answer') {
      recorded.answer = { status: 'no-answer' };
      this.logRequest(recorded);
      await new Promise<void>((resolve) => this.held.add(resolve));
      req.socket.destroy();
      return;
    } else if (fault?.kind === 'reset') {
      recorded.answer = { status: 'reset' };
      this.logRequest(recorded);
      this.endpoints.resetSocket(req.socket);
      return;
    } else {
      answer = answerInstead(fault) ?? (await this.decide(recorded, body, req.headers, fault));
    }
    // the one serialisation: the log holds the bytes that were written, and the documents they came from
    const written = wireBody(answer);
    const how = delivery(fault, written);
    const sent = how.kind === 'whole' ? written : written.slice(0, how.at);
    recorded.answer = { status: answer.status, body: forTheLog(sent) };
    // the documents are what the bytes say only when all of them went out
    if (answer.documents && how.kind === 'whole') recorded.documents = answer.documents;
    recorded.grantUid = answer.grantUid;
    this.logRequest(recorded);
    await this.write(how, answer, written, req, res);
  }

  /** Puts the answer on the wire as `how` says: whole, cut off, or stalled until released. */
  private async write(how: Delivery, answer: GrantAnswer, written: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (how.kind === 'whole') {
      if (written.length < PIECEMEAL_FROM) {
        res.writeHead(answer.status, answer.headers);
        res.end(written);
      } else {
        // the headers end() would write for it: Content-Length computed, last, as node:http names it
        res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(written) });
        await writeInPieces(res, written);
      }
      return;
    }
    const bytes = Buffer.from(written, 'utf8');
    const chunked = how.kind === 'cut-off' && how.framing === 'chunked';
    res.writeHead(answer.status, chunked ? answer.headers : { ...answer.headers, 'content-length': String(bytes.length) });
    const part = bytes.subarray(0, Buffer.byteLength(written.slice(0, how.at)));
    if (part.length > 0) {
      await new Promise<void>((resolve) => {
        res.once('close', resolve);
        res.write(part, () => resolve());
      });
    } else {
      res.flushHeaders();
    }
    if (how.kind === 'stall') {
      await new Promise<void>((resolve) => {
        const release = () => {
          this.stalls.delete(release);
          resolve();
        };
        this.stalls.add(release);
        req.socket.once('close', release);
      });
    }
    else await new Promise((r) => setTimeout(r, 20)); // let the bytes leave before the connection closes
    req.socket.destroy();
  }

  /**
   * The registry's answer as the fault changes the request and the redemption; a slow fault holds it
   * after the registry decided (a redemption is already counted while its answer waits).
   */
  private async decide(recorded: RecordedRequest, body: Buffer, headers: http.IncomingHttpHeaders, fault: Fault | undefined): Promise<GrantAnswer> {
    const answer = await this.registry.answer(requestUnder(fault, { method: recorded.method, path: recorded.path, headers, body }));
    if (fault?.kind === 'slow') await this.holdFor(fault.delayMs);
    return answer.status === 200 ? changeRedemption(fault, answer) : answer;
  }

  private holdFor(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.held.add(release);
    });
  }

  private releaseHeld(): void {
    for (const release of [...this.held]) release();
    this.held.clear();
  }

  /** Ends the stalled answers (their connections close) and the stalled handshakes. */
  private releaseStalls(): void {
    for (const release of [...this.stalls]) release();
    this.endpoints.releaseStalled();
  }

  /** Stops every endpoint and drops open connections: nothing is left listening. */
  async stop(): Promise<void> {
    this.releaseHeld();
    this.releaseStalls();
    await this.endpoints.stop();
  }
}

/**
 * From this length on, an answer goes out a piece at a time, each after the client took the last: a
 * client that stops reading (the reference stops at 4 MiB of a hostile 40 MiB answer) and leaves is not
 * sent, encrypted, the tens of MiB it never reads. The bytes on the wire are the same as end()'s.
 */
const PIECEMEAL_FROM = 1024 * 1024;
const PIECE_LENGTH = 256 * 1024;

async function writeInPieces(res: http.ServerResponse, text: string): Promise<void> {
  let closed = res.destroyed;
  res.once('close', () => { closed = true; });
  for (let at = 0; at < text.length && !closed;) {
    let end = Math.min(at + PIECE_LENGTH, text.length);
    // never between the two halves of a surrogate pair: each piece must encode to the same bytes as the whole
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const piece = text.slice(at, end);
    at = end;
    if (at >= text.length) {
      res.end(piece);
      return;
    }
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** How much of an answer's body the log keeps: an answer of tens of MiB is kept as its beginning and its size. */
export const LOGGED_BODY_MAX = 64 * 1024;

function forTheLog(body: string): string {
  return body.length <= LOGGED_BODY_MAX ? body : `${body.slice(0, LOGGED_BODY_MAX)}… (${body.length} bytes in all)`;
}

/** A grant as a scenario sees it: its URL, an AccessToken for it, and the controls of spec §4. */
export class GrantHandle {
  /** `record` is the registry's Grant behind the handle: its code, endpoints and counts. */
  constructor(readonly service: GrantService, readonly record: Grant) {}

  get uid(): string { return this.record.uid; }
  get code(): string { return this.record.code; }
  get redemptions(): number { return this.record.redemptions; }
  get url(): string { return `${this.service.url}/${this.record.uid}`; }

  /** The grant's URL on one of the service's endpoint variants. */
  async urlOn(kind: EndpointKind): Promise<string> {
    return `${await this.service.endpoint(kind)}/${this.record.uid}`;
  }

  expire(): this { this.record.expire(); return this; }
  exhaust(): this { this.record.exhaust(); return this; }
  corrupt(): this { this.record.corrupt(); return this; }
  delete(): this { this.service.registry.delete(this.record); return this; }

  requests(): RecordedRequest[] {
    return this.service.requests({ grant: this });
  }

  /** An AccessToken for this grant, as `skupper token issue` writes one. */
  accessToken(name: string, overrides: Partial<AccessToken['spec']> = {}): AccessToken {
    return {
      apiVersion: SKUPPER_API_VERSION,
      kind: 'AccessToken',
      metadata: { name },
      spec: { url: this.url, code: this.record.code, ca: this.service.pki.ca.certPem, ...overrides },
    };
  }
}
