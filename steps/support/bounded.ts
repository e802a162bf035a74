// Every call into an implementation has a bound: one that does not return fails the scenario, not the run.

/** Runs `call`; rejects with "<what> did not return within <ms> ms" when it takes longer. */
export async function bounded<T>(what: string, ms: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(call),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
