// Small text and value helpers every folder uses; one home so that each is written once.

/** A plain object (not null, not an array): what a parsed YAML or JSON mapping is. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first line of an error's message (or of any value): what a one-line error shows. */
export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/** The first non-blank line of a text, cut to `max` characters: a summary of a longer message. */
export function firstNonBlankLine(text: string, max = 200): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Quotes a word for sh when it holds anything but characters no shell treats specially (letters,
 * digits and `_ . / : = @ % + , -`), so a command shown to a user can be pasted as it is.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** RFC 3339 at second precision, as Go's time.RFC3339 formats it (Kubernetes' metav1.Time). */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
