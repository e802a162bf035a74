// The order in which a parallel run hands out scenarios: every @slow one first, so that their waits (a
// client timeout, an expiry) overlap with everything else instead of ending the run alone, and among them
// the @client-timeout ones first: each waits out a redeemer's client timeout (10 s for Skupper's), the
// longest waits in the catalogue, and the run can end no sooner than the last of them started plus its
// wait. Plain state, no cucumber: the CLI sets the plan before the run (cli/run.ts), scheduling.ts hands the
// rule to cucumber.

export const SLOW_TAG = '@slow';
const CLIENT_TIMEOUT_TAG = '@client-timeout';

/** What the order needs of a scenario (cucumber's Pickle has more). */
interface Tagged {
  tags: readonly { name: string }[];
}

export function isSlow(pickle: Tagged): boolean {
  return pickle.tags.some((t) => t.name === SLOW_TAG);
}

/** How early a scenario is handed out: 2 waits out a client timeout, 1 is otherwise @slow, 0 the rest. */
export function waitRank(pickle: Tagged): 0 | 1 | 2 {
  if (!isSlow(pickle)) return 0;
  return pickle.tags.some((t) => t.name === CLIENT_TIMEOUT_TAG) ? 2 : 1;
}

/** How many scenarios of a plan wait, and how long: what the order and the worker count need. */
export interface WaitPlan {
  /** scenarios tagged @slow, the @client-timeout ones included */
  slow: number;
  /** @slow scenarios that also wait out a client timeout */
  clientTimeouts: number;
}

class SlowFirst {
  /** the plan's scenarios not yet handed out, by rank */
  private left = [0, 0, 0];

  /** The run's plan (cucumber asks scenario by scenario). */
  plan({ slow, clientTimeouts }: WaitPlan): void {
    this.left = [0, slow - clientTimeouts, clientTimeouts];
  }

  /**
   * cucumber's coordinator asks this of each waiting scenario, in the plan's order, and gives the first
   * it may to an idle worker: one whose rank no waiting scenario outranks.
   */
  readonly canAssign = (pickle: Tagged): boolean => {
    const r = waitRank(pickle);
    for (let higher = r + 1; higher < this.left.length; higher++) if (this.left[higher] > 0) return false;
    this.left[r] = Math.max(0, this.left[r] - 1);
    return true;
  };
}

export const slowFirst = new SlowFirst();
