// Go's wording for what goes wrong in a redemption, as Skupper's Go redeemers print it: strconv.Quote's
// %q, and the transport errors of net/http and crypto/tls (Node's error codes named as Go names them).

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

/** A failure before any HTTP answer (connection, TLS), in Go's words. */
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
