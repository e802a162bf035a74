// One typed World per scenario: the implementation and grant service of this worker, a fresh Site, and
// what the scenario has made. Steps call its methods; the logic lives in simulator/ and adapters/.
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { randomUUID } from 'node:crypto';
import type { GrantServiceImplementation, Implementation, Observation, Site } from '../../adapters/contract.ts';
import { observeAfterQuiet, statusFingerprint, waitForSettledToken, type Settled } from '../judging/settle.ts';
import type { GrantHandle, GrantService } from '../../simulator/grant-service/service.ts';
import type { AccessToken, Condition } from '../../model/resources.ts';
import { redactText } from '../../model/redact.ts';
import { suiteParameters, type SuiteParameters } from './parameters.ts';
import { bounded } from './bounded.ts';
import { IssuingScenario } from './issuing.ts';

/** What a worker shares between scenarios (Playwright's worker-scoped fixtures). */
export interface WorkerState {
  /** The redeemer under test (`--side redeemer`) and the simulated grant service it redeems at. */
  implementation?: Implementation;
  service?: GrantService;
  /** The grant service under test (`--side grant-service`). */
  issuer?: GrantServiceImplementation;
  features: Set<string>;
  /** Implementation metadata for the reports. */
  info: { name: string; version?: string; features: string[] };
}

let worker: WorkerState | undefined;
export function setWorkerState(state: WorkerState | undefined): void {
  worker = state;
}
export function workerState(): WorkerState {
  if (!worker) throw new Error('the suite was not set up: BeforeAll did not run');
  return worker;
}

function sideState<T>(value: T | undefined, side: string): T {
  if (value === undefined) throw new Error(`this step belongs to the ${side} side, which this run does not judge`);
  return value;
}

export class ConformanceWorld extends World<SuiteParameters> {
  readonly params: SuiteParameters;
  site: Site;
  grant: GrantHandle | undefined;
  readonly tokens = new Map<string, AccessToken>();
  /** The token the last step talked about ("the token"). */
  current: string | undefined;
  /** Every code this scenario used: never printed, always redacted. */
  readonly secrets = new Set<string>();
  /** The status of each token before the last action on it, and when that action happened. */
  private readonly before = new Map<string, { fingerprint: string; at: number }>();
  private lastActionAt = performance.now();
  lastObservation: Observation | undefined;
  /** The Redeemed condition the last Then step looked at, and the one before it. */
  private conditionSeen: Condition | undefined;
  previousCondition: Condition | undefined;
  set lastCondition(c: Condition) {
    this.previousCondition = this.conditionSeen;
    this.conditionSeen = c;
  }
  otherService: { url: string; requests(): Promise<unknown[]>; stop(): Promise<void> } | undefined;

  constructor(options: IWorldOptions<SuiteParameters>) {
    super(options);
    this.params = suiteParameters(options.parameters);
    const id = randomUUID().slice(0, 8);
    this.site = { name: `site-${id}`, namespace: `conformance-${id}`, uid: randomUUID() };
  }

  get implementation(): Implementation { return sideState(workerState().implementation, 'redeemer'); }
  get service(): GrantService { return sideState(workerState().service, 'redeemer'); }
  get issuer(): GrantServiceImplementation { return sideState(workerState().issuer, 'grant-service'); }

  /** The grant-service side of the scenario (made on first use). */
  get issuing(): IssuingScenario {
    this.issuingScenario ??= new IssuingScenario(() => this.issuer, this.callTimeoutMs(), (code) => this.secrets.add(code));
    return this.issuingScenario;
  }
  private issuingScenario: IssuingScenario | undefined;

  redact(text: string): string {
    return redactText(text, this.secrets);
  }

  requireGrant(): GrantHandle {
    if (!this.grant) throw new Error('the scenario has no grant: add "Given a grant"');
    return this.grant;
  }

  token(name = this.current): AccessToken {
    const token = name ? this.tokens.get(name) : undefined;
    if (!token) throw new Error(name ? `the scenario has no AccessToken "${name}"` : 'the scenario has no AccessToken yet');
    this.current = name;
    return token;
  }

  addToken(token: AccessToken): void {
    this.tokens.set(token.metadata.name, token);
    this.secrets.add(token.spec.code);
    this.current = token.metadata.name;
  }

  callTimeoutMs(): number {
    return this.params.settleTimeoutMs + 5_000;
  }

  private async remember(name: string): Promise<void> {
    const observed = await this.observe().catch(() => undefined);
    const token = observed?.accessTokens.find((t) => t.metadata?.name === name);
    this.before.set(name, { fingerprint: statusFingerprint(token), at: performance.now() });
  }

  async apply(name = this.current): Promise<void> {
    const token = this.token(name);
    await this.remember(token.metadata.name);
    this.lastActionAt = performance.now();
    await bounded(`apply() of "${token.metadata.name}"`, this.callTimeoutMs(), () =>
      this.implementation.apply(structuredClone(token), this.site),
    );
  }

  async resync(): Promise<void> {
    if (!this.implementation.resync) throw new Error('the implementation has no resync()');
    for (const name of this.tokens.keys()) await this.remember(name);
    this.lastActionAt = performance.now();
    await bounded('resync()', this.callTimeoutMs(), () => this.implementation.resync!(this.site));
  }

  async deleteSite(): Promise<void> {
    if (!this.implementation.deleteSite) throw new Error('the implementation has no deleteSite()');
    for (const name of this.tokens.keys()) await this.remember(name);
    this.lastActionAt = performance.now();
    await bounded('deleteSite()', this.callTimeoutMs(), () => this.implementation.deleteSite!(this.site));
  }

  /** Lets the implementation make the site exist; from then on the scenario uses the Site it returns. */
  async prepareSite(): Promise<void> {
    if (!this.implementation.prepareSite) return;
    const prepared = await bounded('prepareSite()', this.callTimeoutMs(), () => this.implementation.prepareSite!({ ...this.site }));
    this.site = { ...this.site, ...prepared };
  }

  async observe(): Promise<Observation> {
    this.lastObservation = await bounded('observe()', this.callTimeoutMs(), () => this.implementation.observe(this.site));
    return this.lastObservation;
  }

  /** The token's settled outcome after the last action on it. */
  async settled(name = this.current, timeoutMs = this.params.settleTimeoutMs): Promise<Settled> {
    const token = this.token(name);
    const before = this.before.get(token.metadata.name);
    const settled = await waitForSettledToken(this.implementation, this.site, token.metadata.name, {
      timeoutMs,
      changedFrom: before?.fingerprint,
      since: before?.at,
      quietMs: this.params.quietMs,
      redact: (t) => this.redact(t),
    });
    this.lastObservation = settled.observation;
    return settled;
  }

  /** What the implementation shows once the quiet period after the last action has passed. */
  async observeSettled(): Promise<Observation> {
    this.lastObservation = await observeAfterQuiet(this.implementation, this.site, this.lastActionAt, this.params.quietMs);
    return this.lastObservation;
  }
}

setWorldConstructor(ConformanceWorld);
