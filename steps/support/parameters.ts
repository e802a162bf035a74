// The run's settings, as the CLI hands them to cucumber in worldParameters.
export interface SuiteParameters {
  /** `--impl`: reference, kubernetes, command, broken/<name>, or a module path */
  impl: string;
  implOptions: Record<string, string>;
  /** Features the run configuration claims on the implementation's behalf (conformance.yaml). */
  claimedFeatures?: string[];
  /** How long to wait for a token to settle (ms). Must exceed the redeemers' 10 s client timeout. */
  settleTimeoutMs: number;
  /** How long after an action an unchanged status counts as settled (ms); 0 for synchronous implementations. */
  quietMs: number;
  /** Host name the grant service puts in its URLs and certificate (reachable from the implementation). */
  grantHost?: string;
  /** Address the grant service listens on. */
  listenHost?: string;
}

export const DEFAULT_PARAMETERS: SuiteParameters = {
  impl: 'reference',
  implOptions: {},
  settleTimeoutMs: 15_000,
  quietMs: 0,
};

export function suiteParameters(raw: unknown): SuiteParameters {
  return { ...DEFAULT_PARAMETERS, ...((raw ?? {}) as Partial<SuiteParameters>) };
}
