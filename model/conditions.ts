// The Redeemed condition in one place: how the reference sets it (Skupper's SetRedeemed), and how the
// suite and the adapters read what an implementation's status says happened.
import { rfc3339Seconds } from './text.ts';
import type { AccessToken, Condition, ResourceStatus } from './resources.ts';

/** The condition type a redeemer reports its attempt in. */
export const REDEEMED = 'Redeemed';
export const DELETED_SITE_MESSAGE = 'Already redeemed for a deleted site';


/** True when the token's `Redeemed` condition is True (status.redeemed is not consulted, as in Skupper). */
export function isRedeemed(token: AccessToken): boolean {
  return findCondition(token, REDEEMED)?.status === 'True';
}

/**
 * Sets a condition as apimachinery's SetStatusCondition does: lastTransitionTime is set when the
 * condition is added and changes only when its status flips. Returns whether anything changed.
 */
export function setStatusCondition(conditions: Condition[], wanted: Omit<Condition, 'lastTransitionTime'>, now: Date): boolean {
  const existing = conditions.find((c) => c.type === wanted.type);
  if (!existing) {
    conditions.push({ ...wanted, lastTransitionTime: rfc3339Seconds(now) });
    return true;
  }
  let changed = false;
  if (existing.status !== wanted.status) {
    existing.status = wanted.status;
    existing.lastTransitionTime = rfc3339Seconds(now);
    changed = true;
  }
  for (const key of ['reason', 'message', 'observedGeneration'] as const) {
    if (existing[key] !== wanted[key]) {
      (existing as unknown as Record<string, unknown>)[key] = wanted[key];
      changed = true;
    }
  }
  if (wanted.observedGeneration === undefined) delete existing.observedGeneration;
  return changed;
}

/** Skupper's AccessToken.SetRedeemed: the condition, then status/message/redeemed mirroring it. */
export function setRedeemed(token: AccessToken, error: string | undefined, now: Date): boolean {
  const status = (token.status ??= {});
  const conditions = (status.conditions ??= []);
  const generation = token.metadata.generation;
  const changed = setStatusCondition(
    conditions,
    {
      type: REDEEMED,
      status: error === undefined ? 'True' : 'False',
      reason: error === undefined ? 'Ready' : 'Error',
      message: error ?? 'OK',
      ...(generation ? { observedGeneration: generation } : {}),
    },
    now,
  );
  status.status = error === undefined ? 'Ready' : 'Error';
  status.message = error ?? 'OK';
  if (error === undefined) status.redeemed = true;
  else delete status.redeemed;
  return changed;
}

/** Skupper's SetRedeemedWithSiteDeletion. */
export function setRedeemedWithSiteDeletion(token: AccessToken, now: Date): boolean {
  const status = (token.status ??= {});
  const conditions = (status.conditions ??= []);
  const generation = token.metadata.generation;
  const changed = setStatusCondition(
    conditions,
    { type: REDEEMED, status: 'True', reason: 'Error', message: DELETED_SITE_MESSAGE, ...(generation ? { observedGeneration: generation } : {}) },
    now,
  );
  status.status = 'Error';
  status.message = DELETED_SITE_MESSAGE;
  status.redeemed = true;
  return changed;
}


export function findCondition(resource: { status?: ResourceStatus }, type: string): Condition | undefined {
  return resource.status?.conditions?.find((c) => c.type === type);
}

export type Outcome = 'redeemed' | 'failed' | 'pending';

/** What a token's status says happened: the Redeemed condition first, status.status otherwise. */
export function tokenOutcome(token: AccessToken | undefined): Outcome {
  if (!token) return 'pending';
  const condition = findCondition(token, REDEEMED);
  if (condition?.status === 'True') return 'redeemed';
  if (condition?.status === 'False') return 'failed';
  if (token.status?.status === 'Ready' || token.status?.redeemed === true) return 'redeemed';
  if (token.status?.status === 'Error') return 'failed';
  return 'pending';
}

