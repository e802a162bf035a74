// The mock grant service: HTTPS endpoints in front of a GrantRegistry, with a request log and faults on
// demand. Endpoints are plain node:https servers because every one of them must present an exact
// certificate (an IP SAN for 127.0.0.1, an expired one, one for the wrong host, one from another CA) and
// bind to loopback; mockttp mints its own leaf per SNI name and listens on every interface. mockttp
// serves the *other* grant service that redirects point to (see ForeignGrantService).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { GrantRegistry, redemptionDocuments, type Grant, type GrantAnswer, type GrantOptions } from './registry.ts';
import { getRunPki, type CertifiedKey, type Pki } from '../pki.ts';
import { statusText } from '../redeemer/client.ts';
import { SKUPPER_API_VERSION, toYamlStream, type AccessToken } from '../../model/resources.ts';

/** Variants of the service a scenario can point a token at; all share the grants of the service. */
export type EndpointKind = 'primary' | 'tls12-only' | 'expired-certificate' | 'wrong-host' | 'other-ca' | 'plain-http';

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
  /** What the service answered: a status, or what it did instead. */
  answer: { status: number; body: string } | { status: 'no-answer' | 'reset' };
  grantUid?: string;
}

export type Fault =
  | { kind: 'status'; status: number; body: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'no-answer' }
  | { kind: 'reset' }
  | { kind: 'body'; body: string }
  | { kind: 'secret-only' }
  | { kind: 'append'; text: string }
  | { kind: 'rename'; name: string }
  | { kind: 'redirect'; location: string; status: number };

export interface GrantServiceOptions {
  pki?: Pki;
  /** Address to listen on; default 127.0.0.1. */
  listenHost?: string;
  /** Host name put in grant URLs; default 127.0.0.1. Must be one of the PKI's hosts. */
  urlHost?: string;
  port?: number;
}

interface Listener {
  kind: EndpointKind;
  server: http.Server | https.Server;
  baseUrl: string;
  sockets: Set<Socket>;
}

const ERROR_HEADERS = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

export class GrantService {
  readonly registry: GrantRegistry;
  private readonly listeners = new Map<EndpointKind, Promise<Listener>>();
  private readonly log: RecordedRequest[] = [];
  private fault: { fault: Fault; remaining: number } | undefined;
  private readonly held = new Set<() => void>();
  private readonly onRequest = new Set<(r: RecordedRequest) => void>();
  /** The TCP socket under each connection, by address: a TLS socket cannot be reset itself. */
  private readonly tcpSockets = new Map<string, Socket>();

  private constructor(
    readonly pki: Pki,
    private readonly listenHost: string,
    readonly urlHost: string,
    private readonly port: number,
  ) {
    this.registry = new GrantRegistry(pki);
  }

  /** Starts a grant service with its primary (TLS 1.3 only, like Skupper's) endpoint listening. */
  static async start(options: GrantServiceOptions = {}): Promise<GrantService> {
    const pki = options.pki ?? (await getRunPki());
    const service = new GrantService(pki, options.listenHost ?? '127.0.0.1', options.urlHost ?? '127.0.0.1', options.port ?? 0);
    await service.endpoint('primary');
    return service;
  }

  /** Base URL (`https://127.0.0.1:PORT`) of the primary endpoint. */
  get url(): string {
    return this.primaryUrl;
  }
  private primaryUrl = '';

  // ------------------------------------------------------------------------------------------
  // grants

  createGrant(options: GrantOptions = {}): GrantHandle {
    return new GrantHandle(this, this.registry.create(options));
  }

  // ------------------------------------------------------------------------------------------
  // faults: each applies to the next `times` requests (default: all until reset())

  /** Answers every request with this status and body (as Go's http.Error writes it). */
  failWith(status: number, body = defaultStatusText(status), times = Infinity): this {
    return this.inject({ kind: 'status', status, body }, times);
  }
  /** Answers as normal, after a delay. */
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
  /** Redeems as normal and appends this text after the last Link (extra or broken documents). */
  appendToResponse(text: string, times = Infinity): this {
    return this.inject({ kind: 'append', text }, times);
  }
  /** Redeems as normal but names the Secret and Links as if the `name` header were `name`. */
  nameAnswer(name: string, times = Infinity): this {
    return this.inject({ kind: 'rename', name }, times);
  }
  /** Answers with a redirect to another location (for example a ForeignGrantService). */
  redirectTo(location: string, status = 307, times = Infinity): this {
    return this.inject({ kind: 'redirect', location, status }, times);
  }

  private inject(fault: Fault, times: number): this {
    this.fault = { fault, remaining: times };
    return this;
  }

  /** Clears faults and releases held requests: the service answers normally again. */
  recover(): this {
    this.fault = undefined;
    this.releaseHeld();
    return this;
  }

  /** Clears faults, releases held requests, forgets the request log and every grant. */
  reset(): void {
    this.fault = undefined;
    this.releaseHeld();
    this.log.length = 0;
    this.registry.clear();
  }

  // ------------------------------------------------------------------------------------------
  // the request log

  requests(filter: { grant?: Grant | GrantHandle; endpoint?: EndpointKind } = {}): RecordedRequest[] {
    const uid = filter.grant ? ('grant' in filter.grant ? filter.grant.grant.uid : filter.grant.uid) : undefined;
    return this.log.filter((r) => (!uid || requestUid(r) === uid) && (!filter.endpoint || r.endpoint === filter.endpoint));
  }

  /** Calls `listener` for every request as it is answered; returns a function that unsubscribes. */
  onRequestAnswered(listener: (r: RecordedRequest) => void): () => void {
    this.onRequest.add(listener);
    return () => this.onRequest.delete(listener);
  }

  // ------------------------------------------------------------------------------------------
  // endpoints

  /** Starts (once) and returns the base URL of an endpoint variant. */
  async endpoint(kind: EndpointKind): Promise<string> {
    let listener = this.listeners.get(kind);
    if (!listener) {
      listener = this.listen(kind);
      this.listeners.set(kind, listener);
    }
    return (await listener).baseUrl;
  }

  private certificateFor(kind: EndpointKind): CertifiedKey {
    switch (kind) {
      case 'expired-certificate': return this.pki.expiredServer;
      case 'wrong-host': return this.pki.wrongHostServer;
      case 'other-ca': return this.pki.otherCaServer;
      default: return this.pki.server;
    }
  }

  private async listen(kind: EndpointKind): Promise<Listener> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      // a failure while serving must not become an unhandled rejection: drop the connection instead
      this.serve(kind, req, res).catch(() => res.destroy());
    };
    let server: http.Server | https.Server;
    if (kind === 'plain-http') {
      server = http.createServer(handler);
    } else {
      const cert = this.certificateFor(kind);
      server = https.createServer(
        {
          key: cert.keyPem,
          // the leaf alone, as Skupper's grant server serves tls.crt (the CA is in ca.crt, published in the grant)
          cert: cert.certPem,
          // Skupper's server is tlscfg.Modern(): TLS 1.3 only. The tls12-only variant offers nothing newer than 1.2.
          minVersion: kind === 'tls12-only' ? 'TLSv1.2' : 'TLSv1.3',
          maxVersion: kind === 'tls12-only' ? 'TLSv1.2' : 'TLSv1.3',
        },
        handler,
      );
    }
    server.keepAliveTimeout = 1000;
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      const key = socketKey(s);
      this.tcpSockets.set(key, s);
      s.on('close', () => {
        sockets.delete(s);
        if (this.tcpSockets.get(key) === s) this.tcpSockets.delete(key);
      });
    });
    // TLS handshakes the client abandoned (it rejected our certificate) are expected here, not errors
    server.on('tlsClientError', () => {});
    const port = kind === 'primary' ? this.port : 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.listenHost, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const scheme = kind === 'plain-http' ? 'http' : 'https';
    // every variant is addressed by the same host: the wrong-host variant is wrong by its certificate
    const baseUrl = `${scheme}://${formatHost(this.urlHost)}:${address.port}`;
    if (kind === 'primary') this.primaryUrl = baseUrl;
    return { kind, server, baseUrl, sockets };
  }

  private async serve(kind: EndpointKind, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let readFailed = false;
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      readFailed = true;
    }
    const body = Buffer.concat(chunks);
    const tls = (req.socket as TLSSocket).encrypted ? (req.socket as TLSSocket) : undefined;
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      endpoint: kind,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: flattenHeaders(req.headers),
      body: body.toString('utf8'),
      protocol: tls ? 'https' : 'http',
      tlsVersion: tls?.getProtocol() ?? undefined,
      answer: { status: 0, body: '' },
    };

    const fault = this.takeFault();
    let answer: GrantAnswer | undefined;
    if (readFailed) {
      answer = { status: 400, headers: ERROR_HEADERS, body: 'Request body not valid\n' };
    } else if (fault?.kind === 'no-answer') {
      record.answer = { status: 'no-answer' };
      this.record(record);
      await new Promise<void>((resolve) => this.held.add(resolve));
      req.socket.destroy();
      return;
    } else if (fault?.kind === 'reset') {
      record.answer = { status: 'reset' };
      this.record(record);
      this.resetSocket(req.socket);
      return;
    } else if (fault?.kind === 'status') {
      answer = { status: fault.status, headers: ERROR_HEADERS, body: fault.body.endsWith('\n') ? fault.body : `${fault.body}\n` };
    } else if (fault?.kind === 'redirect') {
      answer = { status: fault.status, headers: { location: fault.location, 'content-type': 'text/html; charset=utf-8' }, body: `<a href="${fault.location}">Redirect</a>.\n` };
    } else {
      if (fault?.kind === 'slow') {
        await this.holdFor(fault.delayMs);
      }
      answer = this.registry.handle({ method: record.method, path: record.path, headers: req.headers, body });
      if (answer.status === 200 && fault) answer = this.rewriteSuccess(answer, fault, req.headers);
    }
    record.answer = { status: answer.status, body: answer.body };
    record.grantUid = answer.grantUid;
    this.record(record);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /**
   * Sends a TCP RST. socket.resetAndDestroy() only works on a socket with a TCP handle; a TLS socket has a
   * TLSWrap handle (resetAndDestroy throws ERR_INVALID_HANDLE_TYPE), so the TCP socket under it is reset.
   */
  private resetSocket(socket: Socket): void {
    const tcp = (socket as TLSSocket).encrypted ? this.tcpSockets.get(socketKey(socket)) : socket;
    try {
      if (!tcp) throw new Error('no TCP socket');
      tcp.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  }

  private rewriteSuccess(answer: GrantAnswer, fault: Fault, headers: http.IncomingHttpHeaders): GrantAnswer {
    switch (fault.kind) {
      case 'body':
        return { ...answer, body: fault.body };
      case 'secret-only': {
        const grant = this.registry.get(answer.grantUid ?? '')!;
        const name = String(headers.name || grant.name);
        const [secret] = redemptionDocuments(this.pki, grant, name, String(headers.subject || name));
        return { ...answer, body: toYamlStream([secret]) };
      }
      case 'append':
        return { ...answer, body: answer.body + fault.text };
      case 'rename': {
        const grant = this.registry.get(answer.grantUid ?? '')!;
        const documents = redemptionDocuments(this.pki, grant, fault.name, String(headers.subject || fault.name));
        return { ...answer, body: toYamlStream(documents) };
      }
      default:
        return answer;
    }
  }

  private takeFault(): Fault | undefined {
    if (!this.fault) return undefined;
    const { fault } = this.fault;
    this.fault.remaining -= 1;
    if (this.fault.remaining <= 0) this.fault = undefined;
    return fault;
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

  private record(r: RecordedRequest): void {
    this.log.push(r);
    for (const l of this.onRequest) l(r);
  }

  /** Stops every endpoint and drops open connections: nothing is left listening. */
  async stop(): Promise<void> {
    this.releaseHeld();
    const listeners = await Promise.all(this.listeners.values());
    this.listeners.clear();
    await Promise.all(
      listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            for (const s of l.sockets) s.destroy();
            l.server.close(() => resolve());
          }),
      ),
    );
  }
}

/** A grant as a scenario sees it: its URL, an AccessToken for it, and the controls of spec §4. */
export class GrantHandle {
  constructor(readonly service: GrantService, readonly grant: Grant) {}

  get uid(): string { return this.grant.uid; }
  get code(): string { return this.grant.code; }
  get redemptions(): number { return this.grant.redemptions; }
  get url(): string { return `${this.service.url}/${this.grant.uid}`; }

  /** The grant's URL on one of the service's endpoint variants. */
  async urlOn(kind: EndpointKind): Promise<string> {
    return `${await this.service.endpoint(kind)}/${this.grant.uid}`;
  }

  expire(): this { this.grant.expire(); return this; }
  exhaust(): this { this.grant.exhaust(); return this; }
  corrupt(): this { this.grant.corrupt(); return this; }
  delete(): this { this.service.registry.delete(this.grant); return this; }

  requests(): RecordedRequest[] {
    return this.service.requests({ grant: this.grant });
  }

  /** An AccessToken for this grant, as `skupper token issue` writes one. */
  accessToken(name: string, overrides: Partial<AccessToken['spec']> = {}): AccessToken {
    return {
      apiVersion: SKUPPER_API_VERSION,
      kind: 'AccessToken',
      metadata: { name },
      spec: { url: this.url, code: this.grant.code, ca: this.service.pki.ca.certPem, ...overrides },
    };
  }
}

function requestUid(r: RecordedRequest): string | undefined {
  return r.grantUid ?? (r.path.split('?')[0].split('/').join('') || undefined);
}

function socketKey(s: Socket): string {
  return `${s.localPort}|${s.remoteAddress}|${s.remotePort}`;
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function defaultStatusText(status: number): string {
  // Go's http.StatusText, as a Go server would write it
  return statusText(status) || 'Error';
}
