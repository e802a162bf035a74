// The grant service's transport, probed as a redeeming site's network would meet it (spec §2.1, §3.1): a
// client that offers nothing newer than TLS 1.2, a plain-HTTP request to the grant's port, and the
// certificate the service serves, checked against status.ca alone (the token's CA replaces every default
// root) and the host of status.url. Verification is never switched off: what a server presents is only
// read from a handshake that verified it. Every probe has a deadline.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { withDeadline } from './deadline.ts';
import { PROBE_TIMEOUT_MS, target } from './grant-probes.ts';

export { PROBE_TIMEOUT_MS, target };

/** OpenSSL's and Node's certificate-verification error codes: the server had already chosen a version and sent its certificate. */
const CHAIN_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const VALIDITY_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);
const HOST_ERRORS = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

/** Whether an error means the handshake got as far as the server's certificate (which the client then refused). */
export function isCertificateError(code: string | undefined): boolean {
  return !!code && (CHAIN_ERRORS.has(code) || VALIDITY_ERRORS.has(code) || HOST_ERRORS.has(code));
}

function errorCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** OpenSSL's reason in an error such as `write EPROTO 80…:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:…`. */
export function tidyTlsMessage(message: string): string {
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
  return reason ? reason.trim() : message.trim();
}

/** An error in words for these probes: the code first and OpenSSL's reason alone (grant-probes.ts's describeError keeps the whole message, code after). */
function describe(e: unknown): string {
  const code = errorCode(e);
  const message = tidyTlsMessage(e instanceof Error ? e.message : String(e));
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

// ---------------------------------------------------------------------------------------------------
// AT-GTLS-001: a client offering only TLS 1.2

export interface OldTlsOutcome {
  /**
   * `completed`: the server agreed to TLS 1.2 (the handshake finished, or reached the server's certificate,
   * which only a server that chose the version sends); `refused`: it ended the handshake before that.
   */
  handshake: 'completed' | 'refused';
  /** The version the server chose, when it chose one. */
  protocol?: string;
  /** The answer to the POST sent over a completed handshake. */
  status?: number;
  body?: string;
  /** What ended the exchange without an answer. */
  error?: string;
}

/**
 * POSTs the code to the grant's URL as a client that offers TLS 1.2 and nothing newer would, trusting only
 * `ca`. A server that completes the handshake is then asked for the redemption, so that one which also
 * counts such a request shows it.
 */
export function postOverTls12(options: { url: URL; ca: string; code: string; headers: Record<string, string>; timeoutMs?: number }): Promise<OldTlsOutcome> {
  const { url, ca, code, headers } = options;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const { host, port, servername } = target(url);
  const body = Buffer.from(code, 'utf8');
  let negotiated: string | undefined;
  return withDeadline<OldTlsOutcome>(
    timeoutMs,
    () => (negotiated ? { handshake: 'completed', protocol: negotiated, error: `no answer within ${timeoutMs} ms` } : { handshake: 'refused', error: `no handshake within ${timeoutMs} ms` }),
    (finish) => {
      const req = https.request(
        {
          method: 'POST',
          host,
          port,
          servername,
          path: `${url.pathname}${url.search}`,
          headers: { ...headers, 'content-length': String(body.length) },
          agent: false,
          ca,
          minVersion: 'TLSv1.2',
          maxVersion: 'TLSv1.2',
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish({ handshake: 'completed', protocol: negotiated, status: res.statusCode, error: describe(e) }));
          res.on('end', () =>
            finish({ handshake: 'completed', protocol: negotiated, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('socket', (socket) => {
        socket.once('secureConnect', () => {
          negotiated = (socket as TLSSocket).getProtocol() ?? undefined;
        });
      });
      req.on('error', (e) => {
        const code = errorCode(e);
        if (negotiated || isCertificateError(code)) {
          finish({ handshake: 'completed', protocol: negotiated ?? 'TLSv1.2', error: describe(e) });
        } else {
          finish({ handshake: 'refused', error: describe(e) });
        }
      });
      req.end(body);
      return { close: () => req.destroy() };
    },
  );
}

/** Undefined when a TLS 1.2-only client was refused; otherwise what went wrong, in words. */
export function judgeOldTls(outcome: OldTlsOutcome): string | undefined {
  if (outcome.handshake === 'refused') return undefined;
  const answered =
    outcome.status !== undefined
      ? `, and answered the POST over it with ${outcome.status}${outcome.status === 200 ? ' (a redemption)' : ''}`
      : outcome.error
        ? ` (then: ${outcome.error})`
        : '';
  return `expected the grant service to refuse a client offering only TLS 1.2 (TLS 1.3 is the minimum); it agreed to ${outcome.protocol ?? 'TLS 1.2'}${answered}`;
}

// ---------------------------------------------------------------------------------------------------
// AT-GTLS-003: plain HTTP to the grant's port

export interface PlainHttpOutcome {
  /** The plain-HTTP URL the request went to. */
  url: string;
  status?: number;
  body?: string;
  error?: string;
}

/** The grant's URL with its scheme made `http:`, on the same host and port. */
export function plainHttpUrl(url: URL): URL {
  const port = url.port || (url.protocol === 'http:' ? '80' : '443');
  const plain = new URL(url.href);
  plain.protocol = 'http:';
  plain.port = port;
  return plain;
}

/**
 * POSTs the code in the clear to the port the grant's HTTPS URL names. (The code of a throwaway grant the
 * suite made; a conformant service refuses the request, and the grant is redeemed again afterwards.)
 */
export function postPlainHttp(options: { url: URL; code: string; headers: Record<string, string>; timeoutMs?: number }): Promise<PlainHttpOutcome> {
  const plain = plainHttpUrl(options.url);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const { host, port } = target(plain);
  const body = Buffer.from(options.code, 'utf8');
  const outcome = withDeadline<Omit<PlainHttpOutcome, 'url'>>(
    timeoutMs,
    () => ({ error: `no answer within ${timeoutMs} ms` }),
    (finish) => {
      const req = http.request(
        {
          method: 'POST',
          host,
          port,
          path: `${plain.pathname}${plain.search}`,
          headers: { ...options.headers, 'content-length': String(body.length) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish({ status: res.statusCode, error: describe(e) }));
          res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', (e) => finish({ error: describe(e) }));
      req.end(body);
      return { close: () => req.destroy() };
    },
  );
  return outcome.then((o) => ({ url: plain.href, ...o }));
}

/** Undefined when a plain-HTTP request got no redemption (an error answer or a closed connection); otherwise why not. */
export function judgePlainHttp(outcome: PlainHttpOutcome): string | undefined {
  if (outcome.status !== 200) return undefined;
  return `expected a plain-HTTP request to ${outcome.url} to be served no redemption (an error answer or a closed connection); it was answered 200`;
}

// ---------------------------------------------------------------------------------------------------
// AT-GTLS-002: the served certificate

export interface ServedCertificate {
  /** True when the served chain verified against `ca` alone and the certificate is valid for the URL's host. */
  trusted: boolean;
  /** The served certificate's subject and SANs, when the handshake verified. */
  subject?: string;
  subjectAltName?: string;
  protocol?: string;
  /** The verification failure, in words. */
  problem?: string;
  code?: string;
}

/** A certificate-verification failure in words, for the host a URL names. */
export function certificateProblem(code: string | undefined, host: string, message: string): string {
  if (code && CHAIN_ERRORS.has(code)) return `the served certificate does not chain to status.ca (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return 'the served certificate has expired (CERT_HAS_EXPIRED)';
  if (code && VALIDITY_ERRORS.has(code)) return `the served certificate is not valid now (${code})`;
  if (code && HOST_ERRORS.has(code)) return `the served certificate is not valid for the host ${host} of status.url (${message})`;
  return `no TLS handshake completed (${code ? `${code}: ` : ''}${message})`;
}

/**
 * Connects to the URL's host and port trusting only `ca`, with the host check a redeemer makes (SNI for a
 * name; an IP literal must be an IP SAN). Any TLS version the server offers: the version is AT-GTLS-001's.
 */
export function inspectServedCertificate(options: { url: URL; ca: string; timeoutMs?: number }): Promise<ServedCertificate> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const { host, port, servername } = target(options.url);
  return withDeadline<ServedCertificate>(
    timeoutMs,
    () => ({ trusted: false, problem: `no TLS handshake within ${timeoutMs} ms` }),
    (finish) => {
      const socket = tls.connect({ host, port, servername, ca: options.ca, rejectUnauthorized: true });
      socket.once('secureConnect', () => {
        const peer = socket.getPeerX509Certificate();
        // Node verified chain and host before it reported the connection; checked once more in plain words
        const hostOk = peer ? (isIP(host) ? peer.checkIP(host) !== undefined : peer.checkHost(host) !== undefined) : false;
        finish({
          trusted: socket.authorized && hostOk,
          subject: peer?.subject,
          subjectAltName: peer?.subjectAltName,
          protocol: socket.getProtocol() ?? undefined,
          ...(socket.authorized && hostOk ? {} : { problem: peer ? `the served certificate is not valid for the host ${host} of status.url` : 'the server presented no certificate' }),
        });
      });
      socket.once('error', (e) => {
        const code = errorCode(e);
        finish({ trusted: false, code, problem: certificateProblem(code, host, tidyTlsMessage(e.message)) });
      });
      return { close: () => socket.destroy() };
    },
  );
}

/** Undefined when the served certificate is trusted for the URL; otherwise expected vs observed, in words. */
export function judgeServedCertificate(url: URL, served: ServedCertificate): string | undefined {
  if (served.trusted) return undefined;
  return `expected the certificate served at ${url.host} to chain to the grant's status.ca and be valid for the host ${target(url).host}; ${served.problem ?? 'it did not'}`;
}
