// The run's settings, as the CLI hands them to cucumber in worldParameters.
import type { Side } from '../../adapters/contract.ts';
import type { ForeignHostAddress } from '../../simulator/grant-service/foreign-service.ts';
import type { PkiKeys } from '../../simulator/pki.ts';
export interface SuiteParameters {
  /** Which side is under test: the redeemer (default) or the grant service. */
  side: Side;
  /** `--impl`: reference, kubernetes, command, broken/<name>, or a module path */
  impl: string;
  implOptions: Record<string, string>;
  /**
   * The implementation as the run's preflight found it: its name, version and features (those it declares
   * and those conformance.yaml claims for it), computed once; every worker's report context uses it.
   */
  implementation?: { name: string; version?: string; features: string[] };
  /** How long to wait for a token to settle (ms). Must exceed the redeemers' 10 s client timeout. */
  settleTimeoutMs: number;
  /** How long after an action an unchanged status counts as settled (ms); 0 for synchronous implementations. */
  quietMs: number;
  /** Host name the grant service puts in its URLs and certificate (reachable from the implementation). */
  grantHost?: string;
  /** Address the grant service listens on. */
  listenHost?: string;
  /**
   * The run's PKI, made once by the coordinator of a parallel run so that its workers need not each make
   * keys (PkiKeys: in memory only, never written out).
   */
  pki?: PkiKeys;
  /** The other grant service's home in a parallel run's coordinator (ForeignServiceHost), when a scenario needs it. */
  foreignHost?: ForeignHostAddress;
  /**
   * Whether a planned scenario needs the other grant service (@other-grant-service), when the run's plan is
   * known (the CLI's); unset, it may.
   */
  otherGrantService?: boolean;
}

export const DEFAULT_PARAMETERS: SuiteParameters = {
  side: 'redeemer',
  impl: 'reference',
  implOptions: {},
  settleTimeoutMs: 15_000,
  quietMs: 0,
};

export function suiteParameters(raw: unknown): SuiteParameters {
  return { ...DEFAULT_PARAMETERS, ...((raw ?? {}) as Partial<SuiteParameters>) };
}
