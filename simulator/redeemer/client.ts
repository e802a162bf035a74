// The HTTP exchange of a redemption, as Skupper's redeemers make it (spec §3.1): POST the code over TLS 1.3
// or newer, trusting only the token's CA, with a 10 s deadline, and never following a redirect.
import http from 'node:http';
import https from 'node:https';

export const REDEEM_TIMEOUT_MS = 10_000;

export interface RedeemResponse {
  status: number;
  statusText: string;
  body: string;
  /** The Location header of a redirect, which the reference never follows. */
  location?: string;
}

export interface PostCodeOptions {
  url: URL;
  /** How error messages name the URL (`Post "<displayUrl>": …`); default url.href. Go prints its own URL.String(). */
  displayUrl?: string;
  code: string;
  ca: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Loosened TLS settings. The reference never passes them; the deliberately broken implementations
   * (fixtures/broken) do, to show the suite catches an older TLS version or an unchecked host name.
   * Certificate chain verification cannot be switched off here.
   */
  tls?: Pick<https.RequestOptions, 'minVersion' | 'checkServerIdentity'>;
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
  const prefix = `Post ${goQuote(options.displayUrl ?? url.href)}`;
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
      ...options.tls,
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
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        resolve({ status, statusText: statusText(status), body: Buffer.concat(chunks).toString('utf8'), ...(location ? { location } : {}) });
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

// ---------------------------------------------------------------------------------------------
// Go's wording

// Where Go's http.StatusText differs from Node's http.STATUS_CODES (Go keeps the RFC 7231 names and has no 509).
const GO_STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
  509: '',
};

/** Go's http.StatusText: the reason phrase, or "" for a code Go does not know. */
export function statusText(status: number): string {
  return GO_STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? '';
}

/** Go's %q of a string (strconv.Quote) for the ASCII range; other characters are kept as they are. */
export function goQuote(text: string): string {
  const escapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (escapes[ch]) out += escapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A URL as Go's net/url.Parse sees it (only what a redeemer looks at). */
export interface GoUrl {
  scheme: string;
  opaque: string;
  user: string | undefined;
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  /** `https:/x`: a scheme and a rooted path, no authority */
  omitHost: boolean;
  fragment: string;
}

/** The error of Go's url.Parse; the message is Go's: `parse "foo://a:b": invalid port ":b" after host`. */
export class GoUrlError extends Error {
  override name = 'GoUrlError';
}

type Encoding = 'path' | 'host' | 'zone' | 'userPassword' | 'fragment';

const isHex = (c: string) => /^[0-9A-Fa-f]$/.test(c);

function shouldEscapeInHost(c: string): boolean {
  if (/^[A-Za-z0-9]$/.test(c)) return false;
  if ("!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  return true;
}

/** Go's url.unescape, reduced to its errors: returns the text unchanged or throws Go's message. */
function checkEscapes(s: string, mode: Encoding): string {
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      // RFC 6874: in a host only %25 may introduce a zone; percent-encoded ASCII below 0x80 is refused
      if (mode === 'host' && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== '%25') {
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && shouldEscapeInHost(c)) {
      throw new Error(`invalid character ${goQuote(c)} in host name`);
    }
    i += 1;
  }
  return s;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      checkEscapes(host.slice(0, zone), 'host');
      checkEscapes(host.slice(zone, i), 'zone');
      checkEscapes(host.slice(i), 'host');
      return host;
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
    }
  }
  return checkEscapes(host, 'host');
}

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseWithoutFragment(raw: string): GoUrl {
  const url: GoUrl = { scheme: '', opaque: '', user: undefined, host: '', path: '', rawQuery: '', forceQuery: false, omitHost: false, fragment: '' };
  // stringContainsCTLByte
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '') return url;
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  // getScheme
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      url.scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      // a rootless path is opaque (RFC 3986)
      url.opaque = rest;
      return url;
    }
    if (rest.split('/')[0].includes(':')) throw new Error('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!validUserinfo(userinfo)) throw new Error('net/url: invalid userinfo');
      url.user = checkEscapes(userinfo, 'userPassword');
    }
  } else if (url.scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true;
  }
  url.path = checkEscapes(rest, 'path');
  return url;
}

/**
 * Go's net/url.Parse, for the decisions a Go redeemer takes on a token URL: whether it parses at all (with
 * Go's error text), the scheme (lower-cased), and the host. WHATWG's `new URL()` refuses what Go accepts
 * (`""`, `localhost/x`, `https:///x`) and accepts what Go refuses (`https://x/%zz`), so it cannot decide this.
 */
export function parseGoUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const withoutFragment = hash >= 0 ? raw.slice(0, hash) : raw;
  let url: GoUrl;
  try {
    url = parseWithoutFragment(withoutFragment);
  } catch (e) {
    throw new GoUrlError(`parse ${goQuote(withoutFragment)}: ${(e as Error).message}`);
  }
  if (hash >= 0) {
    try {
      url.fragment = checkEscapes(raw.slice(hash + 1), 'fragment');
    } catch (e) {
      throw new GoUrlError(`parse ${goQuote(raw)}: ${(e as Error).message}`);
    }
  }
  return url;
}

/** Go's URL.String() for what parseGoUrl keeps (used in `Post "<url>": …` messages). */
export function goUrlString(url: GoUrl): string {
  let out = url.scheme ? `${url.scheme}:` : '';
  if (url.opaque) {
    out += url.opaque;
  } else {
    if ((url.scheme || url.host || url.user !== undefined) && !(url.omitHost && !url.host && url.user === undefined)) {
      if (url.host || url.path || url.user !== undefined) out += '//';
      if (url.user !== undefined) out += `${url.user}@`;
      out += url.host;
    }
    out += url.path;
  }
  if (url.forceQuery || url.rawQuery) out += `?${url.rawQuery}`;
  if (url.fragment) out += `#${url.fragment}`;
  return out;
}
