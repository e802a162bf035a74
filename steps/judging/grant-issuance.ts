// What an AccessGrant's status says once the grant service has processed it (docs/resources-access-grant.md;
// spec §1.2, §2.2, §4, §4.4): the code (spec.code when set, generated otherwise), the URL form, the
// conditions, and the Error status of a grant it cannot process. Every judge returns undefined when the
// grant conforms, or what was expected and what was observed, in words; none prints a code.
import type { AccessGrant } from '../../model/resources.ts';
import { interruption } from '../support/interrupt.ts';

/** Undefined when status.code is the code the spec set. The codes are never printed: only their lengths. */
export function judgeSpecCode(grant: AccessGrant | undefined, specCode: string): string | undefined {
  const code = grant?.status?.code;
  if (code === specCode) return undefined;
  const seen = code ? `it holds another code (${code.length} characters)` : 'it holds none';
  return `expected status.code to be the code spec.code set (${specCode.length} characters); ${seen}`;
}

/** Undefined when every grant has a status.code of its own (no two alike). */
export function judgeGeneratedCodes(grants: readonly { name: string; grant: AccessGrant | undefined }[]): string | undefined {
  const problems: string[] = [];
  const byCode = new Map<string, string>();
  for (const { name, grant } of grants) {
    const code = grant?.status?.code;
    if (!grant) problems.push(`"${name}" was not observed`);
    else if (!code) problems.push(`"${name}" has no status.code`);
    else if (byCode.has(code)) problems.push(`"${name}" has the same code as "${byCode.get(code)}"`);
    else byCode.set(code, name);
  }
  return problems.length === 0 ? undefined : `expected each grant made without a code to get a generated code of its own; ${problems.join('; ')}`;
}

/** Undefined when status.url is `https://<host>/<metadata.uid>`, Skupper's form (grants.go claimUrl). */
export function judgeUrlForm(grant: AccessGrant): string | undefined {
  const url = grant.status?.url ?? '';
  const uid = grant.metadata.uid;
  if (!uid) return `expected status.url to be https://<host>/<the grant's metadata.uid>; the grant shows no metadata.uid (status.url ${JSON.stringify(url)})`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `expected status.url to be https://<host>/${uid}; ${JSON.stringify(url)} is not a URL`;
  }
  const problems: string[] = [];
  if (parsed.protocol !== 'https:') problems.push(`its scheme is ${parsed.protocol.replace(/:$/, '')}`);
  if (!parsed.hostname) problems.push('it names no host');
  if (parsed.pathname !== `/${uid}`) problems.push(`its path is ${JSON.stringify(parsed.pathname)}, not "/${uid}"`);
  if (parsed.search || parsed.hash) problems.push('it carries a query or a fragment');
  if (parsed.username || parsed.password) problems.push('it carries user information');
  return problems.length === 0 ? undefined : `expected status.url to be https://<host>/${uid}; it is ${JSON.stringify(url)}: ${problems.join(', ')}`;
}

const READY_CONDITIONS = ['Processed', 'Resolved', 'Ready'] as const;

/** Undefined when Processed, Resolved and Ready are True and status.status is Ready. */
export function judgeReadyConditions(grant: AccessGrant | undefined): string | undefined {
  if (!grant) return 'expected a processed grant with Processed, Resolved and Ready True and status.status Ready; the grant was not observed';
  const conditions = grant.status?.conditions ?? [];
  const problems: string[] = [];
  for (const type of READY_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) problems.push(`it has no ${type} condition`);
    else if (c.status !== 'True') problems.push(`${type} is ${c.status} (${c.reason}: ${c.message})`);
  }
  if (grant.status?.status !== 'Ready') problems.push(`status.status is ${JSON.stringify(grant.status?.status)}`);
  return problems.length === 0 ? undefined : `expected Processed, Resolved and Ready True and status.status Ready; ${problems.join('; ')}`;
}

/** Undefined when status.status is Error and status.message names `value`. */
export function judgeErrorStatus(grant: AccessGrant | undefined, value: string): string | undefined {
  const expected = `expected status.status Error and a status.message naming ${JSON.stringify(value)}`;
  if (!grant) return `${expected}; the grant was not observed`;
  const { status, message } = grant.status ?? {};
  if (status === 'Error' && typeof message === 'string' && message.includes(value)) return undefined;
  return `${expected}; status.status is ${JSON.stringify(status)} with the message ${JSON.stringify(message)}`;
}

/**
 * Observes until `judge` is satisfied (returns undefined) or `timeoutMs` has passed; resolves with the last
 * problem seen, or undefined. A grant service may take a while to write its status.
 */
export async function waitForJudgement<T>(observe: () => Promise<T>, judge: (seen: T) => string | undefined, timeoutMs: number): Promise<string | undefined> {
  const deadline = performance.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    const problem = judge(await observe());
    if (!problem) return undefined;
    if (performance.now() >= deadline) return `${problem} (after ${timeoutMs} ms)`;
    await interruption.pause(pause, 'the wait for the grant service to write its status');
    pause = Math.min(pause * 2, 50);
  }
}
