// Lifecycle: one implementation and one grant service per worker (made in BeforeAll), a fresh Site and
// a clean grant service per scenario, evidence attached when a scenario fails. Every call into the
// implementation is bounded (bounded.ts); once it has stopped answering, the worker's remaining scenarios
// are not run, each reported with the reason. So are they once the run is interrupted (Ctrl-C:
// interrupt.ts), the scenario in progress included: its step ends at once, and the run ends as usual.
import { After, AfterAll, Before, BeforeAll, setDefaultTimeout, setDefinitionFunctionWrapper, Status } from './cucumber.ts';
import { loadGrantService, loadImplementation } from '../../adapters/load.ts';
import { GrantService } from '../../simulator/grant-service/service.ts';
import { ForeignGrantService } from '../../simulator/grant-service/foreign-service.ts';
import { adoptRunPki, getRunPki, runHosts } from '../../simulator/pki.ts';
import { toYaml } from '../../model/resources.ts';
import { redactText, redactValue } from '../../model/redact.ts';
import { CONTEXT_MEDIA_TYPE, EVIDENCE_MEDIA_TYPE, INTERRUPTED, STOPPED_ANSWERING } from '../../reports/results.ts';
import { collectEvidence, collectGrantEvidence } from '../../reports/evidence.ts';
import { ConformanceWorld, setWorkerState, workerState } from './world.ts';
import { suiteParameters } from './parameters.ts';
import { answering, bounded, CALL_BOUNDS_MS, CallTimeoutError } from './bounded.ts';
import { interruption } from './interrupt.ts';

/** Whether this worker has said, in a scenario's context, that its implementation stopped answering. */
let stopReported = false;

/** Scenarios whose Before hook said why they were not run (unsupported, stopped answering, interrupted). */
const toldWhy = new WeakSet<object>();

/** This file's hooks: they see an interruption through and say what it did; steps are cut short by it. */
const OWN_HOOKS = new WeakSet<object>();
function own<T extends object>(hook: T): T {
  OWN_HOOKS.add(hook);
  return hook;
}

/**
 * Whether the run is interrupted, asked once this process has had a moment to hear of it: a Ctrl-C ends
 * an implementation's own process too (it is in the terminal's process group), and a call into it may
 * fail of that a moment before this process handles the same Ctrl-C. Asked only of a step that failed.
 */
async function interruptedMeanwhile(): Promise<boolean> {
  if (!interruption.interrupted) await new Promise((r) => setTimeout(r, 20));
  return interruption.interrupted;
}


// Steps wait for outcomes themselves, bounded by the settle timeout; this only guards against a step
// that would otherwise never end.
setDefaultTimeout(60_000);

// Whatever a step throws is redacted before cucumber prints or stores it: an implementation may echo
// a code or a key in its messages.
// Once the run is interrupted, a step (or another file's scenario hook) ends at once, as not run: whatever
// it waited for is left (bounded.ts gives the implementation's calls up), and an error it ends with then
// is the interruption's doing, not the implementation's.
setDefinitionFunctionWrapper(function (fn: (...args: unknown[]) => unknown) {
  return async function (this: unknown, ...args: unknown[]) {
    const cutShort = this instanceof ConformanceWorld && !OWN_HOOKS.has(fn);
    try {
      if (!cutShort) return await fn.apply(this, args);
      if (interruption.interrupted) return 'skipped';
      return await interruption.race('the step', Promise.resolve().then(() => fn.apply(this, args)));
    } catch (e) {
      if (cutShort && (await interruptedMeanwhile())) return 'skipped';
      if (this instanceof ConformanceWorld && e instanceof Error) {
        e.message = this.redact(e.message);
        if (e.stack) e.stack = this.redact(e.stack);
        // cucumber prints a diff of an assertion's actual and expected values beside its message
        const assertion = e as Error & { actual?: unknown; expected?: unknown };
        if ('actual' in assertion) assertion.actual = redactValue(assertion.actual, this.secrets);
        if ('expected' in assertion) assertion.expected = redactValue(assertion.expected, this.secrets);
      }
      throw e;
    }
  };
});

BeforeAll({ timeout: 120_000 }, async function (this: { parameters: unknown }) {
  const params = suiteParameters(this.parameters);
  if (params.pki) adoptRunPki(params.pki);
  answering.reset();
  stopReported = false;
  if (params.side === 'grant-service') {
    // the grant service under test issues and serves; the suite itself plays the redeeming site
    const issuer = await loadGrantService(params.impl, params.implOptions);
    const info = params.implementation ?? { name: issuer.name, version: issuer.version, features: issuer.features ?? [] };
    setWorkerState({ issuer, features: new Set(info.features), info });
    return;
  }
  const hosts = runHosts(params.grantHost);
  const [implementation, service] = await Promise.all([
    loadImplementation(params.impl, params.implOptions),
    getRunPki(hosts).then(async (pki) => {
      // a serial run's first scenarios (ca-trust.feature) read the unrelated CA: made now, off the thread
      // (a parallel worker is handed it by its coordinator when no @slow wait comes first, else makes it
      // only if one of its scenarios asks)
      const [started] = await Promise.all([GrantService.start({ pki, urlHost: hosts[0], listenHost: params.listenHost }), params.pki ? undefined : pki.prepareUnrelated()]);
      return started;
    }),
  ]);
  // mockttp (the redirect target) takes ~0.4 s of CPU to load and as much to start its first service, in
  // a thread of its own: a serial run has it do both now, on the core its scenarios leave idle (the CLI
  // started the load already); a parallel worker started by the CLI uses the coordinator's thread, one
  // started by cucumber-js alone its own, when one of its scenarios needs it; a run that plans none, none
  if (params.foreignHost) ForeignGrantService.useHost(params.foreignHost);
  else if (process.env.CUCUMBER_PARALLEL !== 'true' && params.otherGrantService !== false) ForeignGrantService.prepare(service.pki);
  // the run's preflight computed the features (declared and claimed); cucumber run without the CLI has only the declared
  const info = params.implementation ?? { name: implementation.name, version: implementation.version, features: implementation.features ?? [] };
  setWorkerState({ implementation, service, features: new Set(info.features), info });
});

AfterAll({ timeout: 60_000 }, async function () {
  let state;
  try {
    state = workerState();
  } catch {
    return;
  }
  setWorkerState(undefined);
  // close() is made even when the implementation stopped answering (it may still clean up), briefly then
  const ms = answering.stopped ? CALL_BOUNDS_MS.closeStopped : CALL_BOUNDS_MS.close;
  const close = async (impl: { close?(): Promise<void> } | undefined) => {
    if (!impl?.close) return;
    await bounded('close()', ms, () => impl.close!(), { evenIfStopped: true }).catch((e: unknown) => {
      // past the last scenario: nothing to fail, but the reader should know what may have been left behind
      if (e instanceof CallTimeoutError) process.stderr.write(`accesstoken-conformance: the implementation's ${e.message} (at the end of the run)\n`);
    });
  };
  await Promise.allSettled([close(state.implementation), state.service?.stop(), close(state.issuer)]);
});

Before(own(async function (this: ConformanceWorld, { pickle }) {
  const { service, features, info } = workerState();
  service?.reset();
  const needed = pickle.tags.map((t) => t.name).filter((t) => t.startsWith('@feature:')).map((t) => t.slice('@feature:'.length));
  const missing = needed.filter((f) => !features.has(f));
  // what the implementation claims decides first; whether it still answers, second; an interruption, third
  const notRun = missing.length > 0 ? undefined : answering.stopped ? STOPPED_ANSWERING : interruption.interrupted ? INTERRUPTED : undefined;
  this.attach(
    JSON.stringify({ implementation: info, site: this.site, unsupported: missing, ...(notRun ? { notRun } : {}) }),
    CONTEXT_MEDIA_TYPE,
  );
  if (missing.length > 0 || notRun) toldWhy.add(this);
  if (missing.length > 0) {
    this.log(`unsupported: the implementation does not claim ${missing.map((f) => `"${f}"`).join(', ')}`);
    return 'skipped';
  }
  if (notRun) {
    this.log(`not run: ${notRun}${notRun === STOPPED_ANSWERING ? ` (${answering.detail})` : ''}`);
    return 'skipped';
  }
  try {
    if (workerState().issuer) await this.issuing.prepareSite();
    else await this.prepareSite();
  } catch (e) {
    // interrupted while the site was prepared: the After hook says so
    if (await interruptedMeanwhile()) return 'skipped';
    throw e;
  }
  return undefined;
}));

After(own(async function (this: ConformanceWorld, { result }) {
  // the scenario in progress when the run was interrupted, cut short: not run, for that reason
  if (interruption.interrupted && result?.status === Status.SKIPPED && !toldWhy.has(this)) {
    toldWhy.add(this);
    this.attach(JSON.stringify({ notRun: INTERRUPTED }), CONTEXT_MEDIA_TYPE);
    this.log(`not run: ${INTERRUPTED} (while it ran)`);
  }
  if (result?.status === Status.FAILED) {
    if (workerState().issuer) await attachGrantEvidence(this);
    else await attachEvidence(this);
  }
  // the scenario in which the implementation stopped answering (its evidence's observe() included) says so
  if (answering.stopped && !stopReported) {
    stopReported = true;
    this.attach(JSON.stringify({ stoppedAnswering: answering.detail }), CONTEXT_MEDIA_TYPE);
  }
}));

/** A redeemer's failure: what it shows of the site (asked once more, briefly), and the grant service's requests. */
async function attachEvidence(world: ConformanceWorld): Promise<void> {
  const implementation = world.implementation;
  const evidence = await collectEvidence({
    implementation: { observe: (site) => bounded('observe()', CALL_BOUNDS_MS.evidence, () => implementation.observe(site)) },
    site: world.site,
    requests: world.service.requests(),
    secrets: world.secrets,
  });
  world.attach(JSON.stringify(evidence), EVIDENCE_MEDIA_TYPE);
  world.attach(redactText(toYaml({ observed: evidence.observed }), world.secrets), 'text/x.yaml');
  world.attach(redactText(toYaml({ transcript: evidence.transcript }), world.secrets), 'text/x.yaml');
}

/** A grant service's failure: the grants as it shows them, and every exchange the suite had with it. */
async function attachGrantEvidence(world: ConformanceWorld): Promise<void> {
  const evidence = await collectGrantEvidence({
    // through the scenario, which learns the codes the grants show (they are hidden like the others)
    issuer: { observe: async () => ({ accessGrants: await world.issuing.observe(CALL_BOUNDS_MS.evidence) }) },
    site: world.issuing.site,
    exchanges: world.issuing.exchanges,
    secrets: world.secrets,
  });
  world.attach(JSON.stringify(evidence), EVIDENCE_MEDIA_TYPE);
  world.attach(redactText(toYaml({ observed: evidence.observed }), world.secrets), 'text/x.yaml');
  world.attach(redactText(toYaml({ exchanges: evidence.exchanges }), world.secrets), 'text/x.yaml');
}
