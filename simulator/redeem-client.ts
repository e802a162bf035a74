// The HTTP exchange of a redemption, as Skupper's redeemers make it (spec §3.1): POST the code over TLS 1.3
// or newer, trusting only the token's CA, with a 10 s deadline, and never following a redirect.
import http from 'node:http';
import https from 'node:https';

export const REDEEM_TIMEOUT_MS = 10_000;

export interface RedeemResponse {
  status: number;
  statusText: string;
  body: string;
}

export interface PostCodeOptions {
  url: URL;
  code: string;
  ca: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A failure before any answer arrived: connection, TLS, timeout. The message reads like Go's. */
export class TransportError extends Error {
  override name = 'TransportError';
}

// Node's verification error codes, named as the failure they are; Go says "x509: certificate signed by
// unknown authority" where Node says SELF_SIGNED_CERT_IN_CHAIN or UNABLE_TO_VERIFY_LEAF_SIGNATURE.
const VERIFICATION_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
]);

export function describeTransportError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  if (VERIFICATION_CODES.has(code)) return `tls: failed to verify certificate: certificate verification failed: ${code}: ${e.reason ?? e.message}`;
  const message = e?.message ?? String(error);
  if (/protocol version|unsupported protocol|VERSION/i.test(`${code} ${message}`) && (code === 'EPROTO' || code.startsWith('ERR_SSL_'))) {
    return 'tls: protocol version not supported (the server offers no TLS 1.3)';
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) return `tls: handshake failure (${code})`;
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  if (code === 'ECONNREFUSED') return `dial tcp: connect: connection refused`;
  return message;
}

/**
 * POSTs the code and reads the whole answer. Resolves with any HTTP answer (3xx included: redirects are
 * not followed); rejects with a TransportError when no answer arrives in time or the connection fails.
 */
export function postCode(options: PostCodeOptions): Promise<RedeemResponse> {
  const { url, code, ca, headers } = options;
  const timeoutMs = options.timeoutMs ?? REDEEM_TIMEOUT_MS;
  const prefix = `Post "${url.href}"`;
  return new Promise<RedeemResponse>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new TransportError(`${prefix}: ${message}`));
    };
    const onAbort = () => fail('context canceled');
    const body = Buffer.from(code, 'utf8');
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, 'content-length': String(body.length) },
      agent: false,
      // only the token's CA: `ca` replaces Node's default roots
      ca,
      minVersion: 'TLSv1.3',
    };
    const req = (url.protocol === 'https:' ? https : http).request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(describeTransportError(err)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        resolve({ status, statusText: http.STATUS_CODES[status] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(
      () => fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
      timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(describeTransportError(err)));
    req.end(body);
  });
}
