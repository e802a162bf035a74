// One typed World per scenario: the implementation and grant service of this worker, a fresh Site, and
// what the scenario has made. Steps call its methods; the logic lives in simulator/ and adapters/.
import { World, setWorldConstructor, type IWorldOptions } from './cucumber.ts';
import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { GrantServiceImplementation, Implementation, Observation, Site } from '../../adapters/contract.ts';
import { accepts, observeAfterQuiet, REACTION_QUIET_PERIODS, statusFingerprint, waitForSettledToken, type Check, type Settled } from '../judging/settle.ts';
import type { GrantHandle, GrantService } from '../../simulator/grant-service/service.ts';
import type { AccessToken, Condition } from '../../model/resources.ts';
import { redactText } from '../../model/redact.ts';
import { CONTEXT_MEDIA_TYPE } from '../../reports/results.ts';
import { suiteParameters, type SuiteParameters } from './parameters.ts';
import { bounded, CALL_BOUNDS_MS } from './bounded.ts';
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

/** Which token's settled outcome, and how long to wait for it (world.settled, world.settledAs). */
export interface SettledQuery {
  name?: string;
  timeoutMs?: number;
  site?: Site;
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
  /** A second site beside the scenario's ("a neighbouring site"), once a step made one. */
  neighbour: Site | undefined;

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

  /** Where the status of a token before an action is kept: a token is known by its site and its name. */
  private beforeKey(name: string, site: Site): string {
    return `${site.namespace}/${name}`;
  }

  private async remember(name: string, site: Site = this.site): Promise<void> {
    const observe = () => (site === this.site ? this.observe() : bounded('observe()', CALL_BOUNDS_MS.observe, () => this.implementation.observe(site)));
    const observed = await observe().catch(() => undefined);
    const token = observed?.accessTokens.find((t) => t.metadata?.name === name);
    this.before.set(this.beforeKey(name, site), { fingerprint: statusFingerprint(token), at: performance.now() });
  }

  async apply(name = this.current): Promise<void> {
    await this.applyIn([this.site], name);
  }

  /** Hands the token over in each of the sites at the same time (in the scenario's site alone: apply()). */
  async applyIn(sites: Site[], name = this.current): Promise<void> {
    const token = this.token(name);
    const tokenName = token.metadata.name;
    await Promise.all(sites.map((site) => this.remember(tokenName, site)));
    this.lastActionAt = performance.now();
    await Promise.all(
      sites.map((site) =>
        bounded(`apply() of "${tokenName}"${site === this.site ? '' : ` in site "${site.name}"`}`, this.callTimeoutMs(), () =>
          this.implementation.apply(structuredClone(token), site),
        ),
      ),
    );
  }

  /**
   * Deletes the token (`deleteToken()`, feature token-deletion), first keeping what the site showed once
   * the last action had settled: the Secret and Links the deletion must leave (beforeDeletion).
   */
  async deleteToken(name = this.current): Promise<void> {
    if (!this.implementation.deleteToken) throw new Error('the implementation has no deleteToken()');
    const tokenName = this.token(name).metadata.name;
    this.beforeDeletion = await this.observeSettled();
    this.lastActionAt = performance.now();
    await bounded(`deleteToken() of "${tokenName}"`, this.callTimeoutMs(), () => this.implementation.deleteToken!(tokenName, this.site));
  }
  /** What the site showed just before the last deleteToken(). */
  beforeDeletion: Observation | undefined;

  /** A second site of the scenario ("a second site"), prepared as the scenario's is: its tokens are its own. */
  secondSite: Site | undefined;

  async addSecondSite(): Promise<Site> {
    this.secondSite = await this.newSite('second');
    return this.secondSite;
  }

  requireSecondSite(): Site {
    if (!this.secondSite) throw new Error('the scenario has no second site: add "Given a second site"');
    return this.secondSite;
  }

  /** A site of its own beside the scenario's, made to exist as the scenario's is (prepareSite). */
  private async newSite(prefix: string): Promise<Site> {
    const id = randomUUID().slice(0, 8);
    const site: Site = { name: `${prefix}-${id}`, namespace: `conformance-${id}`, uid: randomUUID() };
    if (!this.implementation.prepareSite) return site;
    const prepared = await bounded('prepareSite()', this.callTimeoutMs(), () => this.implementation.prepareSite!({ ...site }));
    return { ...site, ...prepared };
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

  /** Makes a second site beside the scenario's (prepared as the scenario's is): its namespace is somebody else's. */
  async addNeighbour(): Promise<Site> {
    const id = randomUUID().slice(0, 8);
    let site: Site = { name: `neighbour-${id}`, namespace: `conformance-${id}`, uid: randomUUID() };
    if (this.implementation.prepareSite) {
      const prepared = await bounded('prepareSite()', this.callTimeoutMs(), () => this.implementation.prepareSite!({ ...site }));
      site = { ...site, ...prepared };
    }
    this.neighbour = site;
    return site;
  }

  requireNeighbour(): Site {
    if (!this.neighbour) throw new Error('the scenario has no neighbouring site: add "Given a neighbouring site"');
    return this.neighbour;
  }

  /**
   * Ends the scenario as unsupported, not passed: the implementation cannot show what the step must judge
   * (`needs` says what is missing). The step returns what this returns.
   */
  unsupported(needs: string): 'skipped' {
    this.attach(JSON.stringify({ implementation: workerState().info, site: this.site, unsupported: [needs] }), CONTEXT_MEDIA_TYPE);
    this.log(`unsupported: the implementation does not report ${needs}`);
    return 'skipped';
  }

  /** Lets the implementation make the site exist; from then on the scenario uses the Site it returns. */
  async prepareSite(): Promise<void> {
    if (!this.implementation.prepareSite) return;
    const prepared = await bounded('prepareSite()', this.callTimeoutMs(), () => this.implementation.prepareSite!({ ...this.site }));
    this.site = { ...this.site, ...prepared };
  }

  async observe(): Promise<Observation> {
    this.lastObservation = await bounded('observe()', CALL_BOUNDS_MS.observe, () => this.implementation.observe(this.site));
    return this.lastObservation;
  }

  /**
   * The token's settled outcome, judged by `check`. A status the check refuses that is still the one from
   * before the action gets REACTION_QUIET_PERIODS quiet periods to change (settle.ts); the check then
   * judges what was settled on, and its failure says how long an unchanged status was given.
   */
  async settledAs(check: Check, query: SettledQuery = {}): Promise<Settled> {
    const settled = await this.settled(query, accepts(check));
    try {
      check(settled);
    } catch (e) {
      // so the verdict shows the implementation was not judged too soon
      if (e instanceof AssertionError && settled.unchangedForMs !== undefined) {
        e.message += `\n(the status was still the one from before the action ${settled.unchangedForMs} ms after it)`;
      }
      throw e;
    }
    return settled;
  }

  /** The token's settled outcome after the last action on it; `wanted`: what the step will accept (settledAs). */
  async settled({ name = this.current, timeoutMs = this.params.settleTimeoutMs, site = this.site }: SettledQuery = {}, wanted?: (token: AccessToken) => boolean): Promise<Settled> {
    const token = this.token(name);
    const before = this.before.get(this.beforeKey(token.metadata.name, site));
    const settled = await waitForSettledToken(this.implementation, site, token.metadata.name, {
      timeoutMs,
      changedFrom: before?.fingerprint,
      since: before?.at,
      quietMs: this.params.quietMs,
      wanted,
      reactionMs: this.params.quietMs * REACTION_QUIET_PERIODS,
      redact: (t) => this.redact(t),
    });
    if (site === this.site) this.lastObservation = settled.observation;
    return settled;
  }

  /** What the implementation shows once the quiet period after the last action has passed. */
  async observeSettled(): Promise<Observation> {
    this.lastObservation = await observeAfterQuiet(this.implementation, this.site, this.lastActionAt, this.params.quietMs);
    return this.lastObservation;
  }

  /** What the implementation shows of the second site once the quiet period after the last action has passed. */
  async observeSecondSiteSettled(): Promise<Observation> {
    const second = this.requireSecondSite();
    return bounded('observe()', this.callTimeoutMs(), () => observeAfterQuiet(this.implementation, second, this.lastActionAt, this.params.quietMs));
  }

  /** What the implementation shows of the neighbouring site once the quiet period after the last action has passed. */
  async observeNeighbourSettled(): Promise<Observation> {
    const neighbour = this.requireNeighbour();
    return bounded('observe()', this.callTimeoutMs(), () => observeAfterQuiet(this.implementation, neighbour, this.lastActionAt, this.params.quietMs));
  }
}

setWorldConstructor(ConformanceWorld);
