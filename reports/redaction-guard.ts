// The last guard. Report writers do not know the codes a run used, but the evidence does, by their
// markers: a text that holds a string whose marker is known holds a code. The guard finds those, and
// private keys (PEM or base64 PEM), in anything about to be written, whatever path brought them there.
import { base64HidesPrivateKey, codeDigest, codeMarker, PRIVATE_KEY_MARKER } from '../model/redact.ts';

const MARKER = /\[redacted code: (\d+) bytes, sha256 ([0-9a-f]{12})\]/g;
// complete blocks first, bounded by their END line
const PEM_BLOCK = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
// then a header with no END (cut short, or escaped past recognition): its body, as far as it looks like one
const PEM_OPEN = /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\[nr]|[A-Za-z0-9+/=\s:,-])*/g;
// a PEM encoded in base64 starts with the encoding of "-----BEGIN"
const BASE64_PEM = /LS0tLS1CRUdJT[A-Za-z0-9+/]*={0,2}/g;
// candidates for codes: runs of URL-safe characters, or of letters and digits, of a known code's length
const CODE_CHARS = 'A-Za-z0-9._~+/=-';
const ALNUM_CHARS = 'A-Za-z0-9';

function candidates(chars: string, lengths: number[]): RegExp {
  const alternatives = lengths.map((n) => `[${chars}]{${n}}`).join('|');
  return new RegExp(`(?<![${chars}])(?:${alternatives})(?![${chars}])`, 'g');
}

export class RedactionGuard {
  /** digest → byte length, for each code marker seen */
  private readonly digests = new Map<string, number>();
  private patterns: RegExp[] | undefined;
  /** The codes this guard has found and replaced, so other files can be cleaned of them cheaply. */
  readonly found = new Set<string>();

  /** A guard that knows the codes whose markers appear in these texts. */
  static fromTexts(...texts: string[]): RedactionGuard {
    const guard = new RedactionGuard();
    for (const text of texts) {
      for (const m of text.matchAll(MARKER)) guard.know(Number(m[1]), m[2]);
    }
    return guard;
  }

  know(bytes: number, digest: string): void {
    this.digests.set(digest, bytes);
    this.patterns = undefined;
  }

  /** How many codes the guard can recognise. */
  get knownCodes(): number {
    return this.digests.size;
  }

  private codePatterns(): RegExp[] {
    if (!this.patterns) {
      const lengths = [...new Set(this.digests.values())].filter((n) => n >= 4).sort((a, b) => b - a);
      this.patterns = lengths.length === 0 ? [] : [candidates(CODE_CHARS, lengths), candidates(ALNUM_CHARS, lengths)];
    }
    return this.patterns;
  }

  private replaceCode = (candidate: string): string => {
    if (this.digests.get(codeDigest(candidate)) !== Buffer.byteLength(candidate, 'utf8')) return candidate;
    this.found.add(candidate);
    return codeMarker(candidate);
  };

  /** The text with private keys and known codes replaced by their markers. Cheap when there is nothing to find. */
  text(text: string): string {
    let out = text;
    if (out.includes('PRIVATE KEY')) out = out.replace(PEM_BLOCK, PRIVATE_KEY_MARKER).replace(PEM_OPEN, PRIVATE_KEY_MARKER);
    if (out.includes('LS0tLS1CRUdJT')) out = out.replace(BASE64_PEM, (run) => (base64HidesPrivateKey(run) ? PRIVATE_KEY_MARKER : run));
    for (const pattern of this.codePatterns()) out = out.replace(pattern, this.replaceCode);
    return out;
  }

  /** Replaces the codes already found elsewhere (a plain search: fast on large files). */
  foundCodes(text: string): string {
    let out = text;
    for (const code of this.found) if (out.includes(code)) out = out.split(code).join(codeMarker(code));
    return out;
  }

  /** A deep copy with every string guarded (keys too). */
  value<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
