// Go's time.ParseDuration, for the durations Skupper reads (AccessGrant spec.expirationWindow, the CLI's
// --expiration-window): a sequence of decimal numbers with units ns, us (µs), ms, s, m, h, optionally signed.
// Errors carry Go's own wording, which Skupper puts in a grant's status.

export class DurationError extends Error {
  override name = 'DurationError';
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The duration in milliseconds; throws DurationError `time: invalid duration "<text>"` as Go does. */
export function parseGoDuration(text: string): number {
  const invalid = () => new DurationError(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < rest.length) {
    PART.lastIndex = at;
    const m = PART.exec(rest);
    if (!m) {
      if (/^\d*\.?\d*$/.test(rest.slice(at))) throw new DurationError(`time: missing unit in duration ${JSON.stringify(text)}`);
      throw invalid();
    }
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = PART.lastIndex;
  }
  return sign * total;
}
