// Long certificates and base64 values make evidence unreadable and say little to a reader; what a reader
// needs is whether two of them are the same. The HTML report shows them by size and SHA-256 (the PEM's,
// also for a base64-encoded PEM, so a Secret's ca.crt can be compared with the token's ca). The full
// values stay in messages.ndjson.
import { createHash } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----(\r?\n)?/g;
const LONG_BASE64 = /[A-Za-z0-9+/]{100,}={0,2}/g;

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}

function size(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Sized and hashed as the PEM text without its line-ending style, so copies compare equal. */
function certificate(pem: string): string {
  const normal = `${pem.replace(/\r\n/g, '\n').trimEnd()}\n`;
  return `[certificate PEM: ${size(normal)}, sha256 ${sha(normal)}]`;
}

export function abbreviateText(text: string): string {
  return text
    .replace(PEM_CERTIFICATE, (pem) => certificate(pem))
    .replace(LONG_BASE64, (run) => {
      const decoded = Buffer.from(run, 'base64').toString('utf8');
      if (decoded.startsWith('-----BEGIN CERTIFICATE-----')) {
        const count = decoded.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 1;
        return count > 1 ? `[base64 of ${count} certificates: ${size(decoded)}, sha256 ${sha(decoded)}]` : `[base64 of a ${certificate(decoded).slice(1)}`;
      }
      return `[base64: ${run.length} characters, sha256 ${sha(run)}]`;
    });
}

/** A deep copy with every long string abbreviated. */
export function abbreviateValue<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return abbreviateText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
