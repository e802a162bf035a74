// The burst: N redemptions of one grant at the same moment, to provoke the race between the check of a
// grant's redemption count and its increment. The N TLS connections (trusting only status.ca, TLS 1.3)
// are opened first, then every request is written in one tick; each answer is read by a deadline.
import tls from 'node:tls';
import { withDeadline } from './deadline.ts';
import { describeError, PROBE_TIMEOUT_MS, type ProbeAnswer, tlsOptions } from './grant-probes.ts';

/** A complete HTTP/1.1 response in `data`, or undefined while more is needed. `ended`: the peer closed. */
export function parseHttpResponse(data: Buffer, ended: boolean): { status: number; headers: Record<string, string>; body: string } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine[1]);
  const rest = data.subarray(headEnd + 4);
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return ended ? { status, headers, body: Buffer.concat(parts).toString('utf8') } : undefined;
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1').split(';')[0], 16);
      if (Number.isNaN(size)) throw new Error('a malformed chunk size');
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8') };
      if (rest.length < lineEnd + 2 + size + 2) return ended ? { status, headers, body: Buffer.concat([...parts, rest.subarray(lineEnd + 2)]).toString('utf8') } : undefined;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    if (rest.length >= n) return { status, headers, body: rest.subarray(0, n).toString('utf8') };
    return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
  }
  // no length: the body runs to the end of the connection (and 1xx/204/304 have none)
  if (status === 204 || status === 304 || status < 200) return { status, headers, body: '' };
  return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
}

/** Opens a TLS connection trusting only `ca`; resolves with the socket or the reason it failed. */
function openTls(url: URL, ca: string, timeoutMs: number): Promise<{ socket: tls.TLSSocket } | { error: string }> {
  return withDeadline<{ socket: tls.TLSSocket } | { error: string }>(
    timeoutMs,
    () => ({ error: `the TLS connection was not open within ${timeoutMs} ms` }),
    (finish) => {
      const socket = tls.connect(tlsOptions(url, ca));
      socket.once('secureConnect', () => finish({ socket }));
      // the error listener stays: an open connection the service drops while the others open must not crash the run
      socket.on('error', (e) => finish({ error: `the TLS connection could not be opened: ${describeError(e)}` }));
      // an open connection is the caller's; one that failed or timed out is closed
      return {
        close: (result) => {
          if ('error' in result) socket.destroy();
        },
      };
    },
  );
}

/** Reads one HTTP answer from a socket a request was written to, by the deadline; the socket is closed after. */
function readAnswer(socket: tls.TLSSocket, timeoutMs: number): Promise<ProbeAnswer> {
  return withDeadline<ProbeAnswer>(
    timeoutMs,
    () => ({ error: `no answer within ${timeoutMs} ms` }),
    (finish) => {
      const chunks: Buffer[] = [];
      const tryParse = (ended: boolean) => {
        try {
          const parsed = parseHttpResponse(Buffer.concat(chunks), ended);
          if (parsed) finish({ status: parsed.status, body: parsed.body });
          else if (ended) finish({ error: chunks.length ? 'the connection closed before a complete answer' : 'the connection closed without an answer' });
        } catch (e) {
          finish({ error: (e as Error).message });
        }
      };
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        tryParse(false);
      });
      socket.on('end', () => tryParse(true));
      socket.on('close', () => tryParse(true));
      socket.on('error', (e) => (chunks.length > 0 ? tryParse(true) : finish({ error: describeError(e) })));
      return { close: () => socket.destroy() };
    },
  );
}

export interface BurstOptions {
  /** The grant's status.url, code and ca. */
  url: string;
  code: string;
  ca: string;
  /** The redeeming site's headers (`name`, `subject`). */
  headers: Record<string, string>;
  /** How many redemptions go at once. */
  count: number;
  /** The bound on opening the connections, and then on the answers. */
  timeoutMs?: number;
}

export interface BurstResult {
  /** One per redemption, in the order the requests were written. */
  answers: ProbeAnswer[];
  /** How many connections were open when the requests were written. */
  opened: number;
  /** Milliseconds from the first request written to the last. */
  writeSpreadMs: number;
}

/**
 * `count` redemptions of one grant at the same moment, so that a service which checks the count and
 * raises it with anything asynchronous in between lets more through than the grant allows. All the TLS
 * connections are opened first; then every request (headers and body, one write each) is written in one
 * synchronous loop, so they reach the service together; then each answer is read. Bounded: opening and
 * answering each get `timeoutMs`, after which what is missing is an answer with an error.
 */
export async function burst(options: BurstOptions): Promise<BurstResult> {
  const url = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  if (url.protocol !== 'https:') {
    return { answers: Array.from({ length: options.count }, () => ({ error: `${options.url} is not an https URL` })), opened: 0, writeSpreadMs: 0 };
  }
  const connections = await Promise.all(Array.from({ length: options.count }, () => openTls(url, options.ca, timeoutMs)));
  const body = Buffer.from(options.code, 'utf8');
  const hostHeader = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  const head = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${hostHeader}`,
    ...Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${body.length}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  const request = Buffer.concat([Buffer.from(head, 'latin1'), body]);

  const answers: ProbeAnswer[] = connections.map((c) => ('error' in c ? { error: c.error } : {}));
  const sockets: { socket: tls.TLSSocket; i: number }[] = [];
  connections.forEach((c, i) => {
    if ('error' in c) return;
    if (c.socket.destroyed) answers[i] = { error: 'the service closed the connection before the request was written' };
    else sockets.push({ socket: c.socket, i });
  });
  // nothing runs between the writes but the writes themselves; the listeners and the deadline go on right
  // after, in the same tick, so no event comes before them and the answers get `timeoutMs` from the last write
  const first = performance.now();
  for (const { socket } of sockets) socket.write(request);
  const writeSpreadMs = performance.now() - first;
  const answered = await Promise.all(sockets.map(({ socket }) => readAnswer(socket, timeoutMs)));
  sockets.forEach(({ i }, k) => (answers[i] = answered[k]));
  return { answers, opened: sockets.length, writeSpreadMs };
}

