// Lifecycle: one implementation and one grant service per worker (made in BeforeAll), a fresh Site and
// a clean grant service per scenario, evidence attached when a scenario fails.
import { After, AfterAll, Before, BeforeAll, setDefaultTimeout, setDefinitionFunctionWrapper, Status } from '@cucumber/cucumber';
import { loadGrantService, loadImplementation } from '../../adapters/load.ts';
import { GrantService } from '../../simulator/grant-service/service.ts';
import { getRunPki, runHosts } from '../../simulator/pki.ts';
import { toYaml } from '../../model/resources.ts';
import { redactText, redactValue } from '../../model/redact.ts';
import { CONTEXT_MEDIA_TYPE, EVIDENCE_MEDIA_TYPE } from '../../reports/results.ts';
import { collectEvidence, collectGrantEvidence } from '../../reports/evidence.ts';
import { ConformanceWorld, setWorkerState, workerState } from './world.ts';
import { suiteParameters } from './parameters.ts';


// Steps wait for outcomes themselves, bounded by the settle timeout; this only guards against a step
// that would otherwise never end.
setDefaultTimeout(60_000);

// Whatever a step throws is redacted before cucumber prints or stores it: an implementation may echo
// a code or a key in its messages.
setDefinitionFunctionWrapper(function (fn: (...args: unknown[]) => unknown) {
  return async function (this: unknown, ...args: unknown[]) {
    try {
      return await fn.apply(this, args);
    } catch (e) {
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
    getRunPki(hosts).then((pki) => GrantService.start({ pki, urlHost: hosts[0], listenHost: params.listenHost })),
    // mockttp (the redirect target) takes ~0.5 s to load: load it while the keys are made
    import('../../simulator/grant-service/foreign-service.ts'),
  ]);
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
  await Promise.allSettled([state.implementation?.close?.(), state.service?.stop(), state.issuer?.close?.()]);
});

Before(async function (this: ConformanceWorld, { pickle }) {
  const { service, features, info } = workerState();
  service?.reset();
  const needed = pickle.tags.map((t) => t.name).filter((t) => t.startsWith('@feature:')).map((t) => t.slice('@feature:'.length));
  const missing = needed.filter((f) => !features.has(f));
  this.attach(
    JSON.stringify({ implementation: info, site: this.site, unsupported: missing }),
    CONTEXT_MEDIA_TYPE,
  );
  if (missing.length > 0) {
    this.log(`unsupported: the implementation does not claim ${missing.map((f) => `"${f}"`).join(', ')}`);
    return 'skipped';
  }
  if (workerState().issuer) await this.issuing.prepareSite();
  else await this.prepareSite();
  return undefined;
});

After(async function (this: ConformanceWorld, { result }) {
  if (result?.status !== Status.FAILED) return;
  if (workerState().issuer) {
    await attachGrantEvidence(this);
    return;
  }
  const evidence = await collectEvidence({
    implementation: this.implementation,
    site: this.site,
    requests: this.service.requests(),
    secrets: this.secrets,
  });
  this.attach(JSON.stringify(evidence), EVIDENCE_MEDIA_TYPE);
  this.attach(redactText(toYaml({ observed: evidence.observed }), this.secrets), 'text/x.yaml');
  this.attach(redactText(toYaml({ transcript: evidence.transcript }), this.secrets), 'text/x.yaml');
});

/** A grant service's failure: the grants as it shows them, and every exchange the suite had with it. */
async function attachGrantEvidence(world: ConformanceWorld): Promise<void> {
  const evidence = await collectGrantEvidence({
    // through the scenario, which learns the codes the grants show (they are hidden like the others)
    issuer: { observe: async () => ({ accessGrants: await world.issuing.observe() }) },
    site: world.issuing.site,
    exchanges: world.issuing.exchanges,
    secrets: world.secrets,
  });
  world.attach(JSON.stringify(evidence), EVIDENCE_MEDIA_TYPE);
  world.attach(redactText(toYaml({ observed: evidence.observed }), world.secrets), 'text/x.yaml');
  world.attach(redactText(toYaml({ exchanges: evidence.exchanges }), world.secrets), 'text/x.yaml');
}
