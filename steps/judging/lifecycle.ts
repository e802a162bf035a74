// What a redeemer must keep to over a token's life after its redemption (features/lifecycle.feature): the
// judgements behind those Then steps. Each returns undefined when the implementation kept to the rule, or
// the failure to report.
import { isDeepStrictEqual } from 'node:util';
import type { Observation } from '../../adapters/contract.ts';
import { describeObservation, secretText } from './judgements.ts';

const SECRET_KEYS = ['tls.crt', 'tls.key', 'ca.crt'];

/**
 * After a redeemed token was deleted: the token is gone, and every Secret and Link the site had before is
 * still there, unchanged (a Secret's keys are compared, never printed: tls.key is a private key).
 */
export function judgeLeftInPlace(before: Observation, after: Observation, tokenName: string): string | undefined {
  if (after.accessTokens.some((t) => t.metadata?.name === tokenName)) {
    return `AccessToken "${tokenName}" is still there after deleteToken() returned: the deletion cannot be judged`;
  }
  if (before.secrets.length === 0 && before.links.length === 0) {
    return `the site had no Secret and no Link before AccessToken "${tokenName}" was deleted: nothing to keep`;
  }
  const problems: string[] = [];
  for (const secret of before.secrets) {
    const kept = after.secrets.find((s) => s.metadata.name === secret.metadata.name);
    if (!kept) problems.push(`the Secret "${secret.metadata.name}" is gone`);
    else if (SECRET_KEYS.some((key) => secretText(kept, key) !== secretText(secret, key))) problems.push(`the Secret "${secret.metadata.name}" no longer holds the same credentials`);
  }
  for (const link of before.links) {
    const kept = after.links.find((l) => l.metadata.name === link.metadata.name);
    if (!kept) problems.push(`the Link "${link.metadata.name}" is gone`);
    else if (!isDeepStrictEqual(kept.spec, link.spec)) problems.push(`the Link "${link.metadata.name}" changed: ${JSON.stringify(link.spec)} became ${JSON.stringify(kept.spec)}`);
  }
  if (problems.length === 0) return undefined;
  return `after AccessToken "${tokenName}" was deleted, ${problems.join('; ')}. The site has:\n${describeObservation(after)}`;
}
