// The order in which a parallel run hands out scenarios: every @slow one first, so that their waits (a
// client timeout, an expiry) overlap with everything else instead of ending the run alone. Plain state,
// no cucumber: the CLI sets the plan before the run (cli/run.ts), scheduling.ts hands the rule to cucumber.

export const SLOW_TAG = '@slow';

/** What the order needs of a scenario (cucumber's Pickle has more). */
interface Tagged {
  tags: readonly { name: string }[];
}

export function isSlow(pickle: Tagged): boolean {
  return pickle.tags.some((t) => t.name === SLOW_TAG);
}

class SlowFirst {
  private slowLeft = 0;

  /** The run's plan: how many of its scenarios are @slow (cucumber asks scenario by scenario). */
  plan(slowScenarios: number): void {
    this.slowLeft = slowScenarios;
  }

  /**
   * cucumber's coordinator asks this of each waiting scenario, in the plan's order, and gives the first
   * it may to an idle worker: a @slow one always, any other once no @slow one is left waiting.
   */
  readonly canAssign = (pickle: Tagged): boolean => {
    if (isSlow(pickle)) {
      this.slowLeft = Math.max(0, this.slowLeft - 1);
      return true;
    }
    return this.slowLeft === 0;
  };
}

export const slowFirst = new SlowFirst();
