// Go's net/url.Parse and URL.String(), reduced to what a Go redeemer decides on a token URL: whether it
// parses (with Go's error text), its scheme and its host, and how Go prints it back in messages.
import { goQuote } from './go-wording.ts';

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
