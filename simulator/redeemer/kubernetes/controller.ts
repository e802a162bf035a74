// `accesstoken-conformance controller`: the reference redeemer run as a Kubernetes controller, the way
// Skupper's controller runs checkAccessToken (spec §3.1): informers on AccessTokens and Sites, a keyed
// work queue, a periodic resync that re-runs the handler for every token. With `grants`, it also serves
// the AccessGrants of its namespaces (simulator/grant-service/kubernetes/), as Skupper's controller does
// with grants enabled.
import { connect, ensureCrdsInstalled, REDEEMER_KINDS, type KubeClients } from '../../../adapters/kubernetes/client.ts';
import { skupperInformer } from '../../../adapters/kubernetes/informer.ts';
import { KubeStore } from './kube-store.ts';
import { WorkQueue } from './work-queue.ts';
import { ReferenceRedeemer } from '../redeemer.ts';
import { GrantServing } from '../../grant-service/kubernetes/grant-serving.ts';
import type { AccessToken, SiteResource } from '../../../model/resources.ts';

/** Skupper's informer resync period for AccessTokens (watchers.go: resyncShort). */
export const DEFAULT_RESYNC_SECONDS = 30;

export interface ControllerOptions {
  kubeconfig?: string;
  context?: string;
  /** Watch only this namespace; default: all namespaces. */
  namespace?: string;
  /** Re-run the handler for every known token this often; default 30 s. */
  resyncSeconds?: number;
  /** Aborting it stops the controller: runController then resolves. */
  signal?: AbortSignal;
  /** Stop on SIGTERM and SIGINT; default: true unless a signal is given (then the caller decides). */
  handleSignals?: boolean;
  /** Redemption timeout passed to the redeemer; default its own (10 s, as Skupper's). */
  redeemTimeoutMs?: number;
  /** Where progress lines go; default stderr. */
  log?: (line: string) => void;
  /** Called once the caches are filled and the controller handles events. */
  onReady?: () => void;
  /** Handle only the namespaces it accepts (with `namespace` unset: a subset of all namespaces). */
  namespaceFilter?: (namespace: string) => boolean;
  /** API clients to use instead of connecting with kubeconfig/context (the adapter's in-process controller). */
  clients?: KubeClients;
  /** Serve the AccessGrants of the watched namespaces too, at this HTTPS port (0: any free one); default: not. */
  grants?: { port?: number; grantHost?: string; listenHost?: string };
}

type Key = { kind: 'token'; namespace: string; name: string } | { kind: 'site-deleted'; namespace: string };

function tokenKey(namespace: string, name: string): string {
  return `token/${namespace}/${name}`;
}

function siteDeletedKey(namespace: string): string {
  return `site-deleted/${namespace}`;
}

function parseKey(key: string): Key {
  const [kind, namespace, name] = key.split('/');
  return kind === 'token' ? { kind, namespace, name } : { kind: 'site-deleted', namespace };
}


/**
 * Runs until `signal` aborts (or SIGTERM/SIGINT arrives, see handleSignals), then stops the informers,
 * lets handlers in progress finish, and resolves. Rejects when it cannot start (no cluster, CRDs missing).
 */
export async function runController(options: ControllerOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} controller: ${line}\n`));
  if (options.signal?.aborted) return;
  const clients = options.clients ?? connect(options);
  const namespace = options.namespace;
  try {
    // the AccessGrant CRD is needed only when grants are served
    await ensureCrdsInstalled(clients, { namespace, kinds: options.grants ? undefined : REDEEMER_KINDS });
  } catch (err) {
    if (!options.clients) clients.close();
    throw err;
  }

  const store = new (class extends KubeStore {
    override async updateAccessTokenStatus(token: AccessToken): Promise<AccessToken> {
      const stored = await super.updateAccessTokenStatus(token);
      log(`accesstoken ${token.metadata.namespace}/${token.metadata.name}: ${stored.status?.status} ${stored.status?.message}`);
      return stored;
    }
  })(clients);
  const redeemer = new ReferenceRedeemer(store, { timeoutMs: options.redeemTimeoutMs });

  const queue = new WorkQueue(
    async (key) => {
      const parsed = parseKey(key);
      if (parsed.kind === 'site-deleted') {
        log(`site deleted in ${parsed.namespace}: marking redeemed tokens`);
        await redeemer.siteDeleted(parsed.namespace);
        return;
      }
      // The handler reads the token from the API server rather than the informer cache: the cache can
      // lag behind this controller's own status write, and a stale unredeemed copy would redeem twice.
      const token = await store.getAccessToken(parsed.namespace, parsed.name);
      await redeemer.checkAccessToken(token);
    },
    {
      onError: (key, err, willRetry) =>
        log(`${key}: ${err instanceof Error ? err.message : String(err)}${willRetry ? ' (will retry)' : ' (giving up)'}`),
    },
  );

  const tokens = skupperInformer<AccessToken>(clients, 'AccessToken', namespace, log);
  const sites = skupperInformer<SiteResource>(clients, 'Site', namespace, log);
  const handled = (ns: string | undefined) => !options.namespaceFilter || options.namespaceFilter(ns ?? '');
  const enqueueToken = (t: AccessToken) => {
    if (handled(t.metadata.namespace)) queue.add(tokenKey(t.metadata.namespace ?? '', t.metadata.name));
  };
  tokens.on('add', enqueueToken).on('update', enqueueToken);
  // As in Skupper, a new Site does not hand the namespace's tokens to the handler: tokens that waited for
  // a Site are picked up by the next resync. (Doing it here would add attempts Skupper does not make.)
  sites.on('delete', (site) => {
    if (handled(site.metadata.namespace)) queue.add(siteDeletedKey(site.metadata.namespace ?? ''));
  });

  let grantServing: GrantServing | undefined;
  try {
    if (options.grants) {
      grantServing = await GrantServing.start({
        clients,
        namespace,
        namespaceFilter: options.namespaceFilter,
        port: options.grants.port,
        grantHost: options.grants.grantHost,
        listenHost: options.grants.listenHost,
        log,
      });
    }
    await sites.start();
    await tokens.start();
  } catch (err) {
    await Promise.all([sites.stop(), grantServing?.stop()]);
    if (!options.clients) clients.close();
    throw err;
  }

  const resyncMs = (options.resyncSeconds ?? DEFAULT_RESYNC_SECONDS) * 1000;
  const resync = setInterval(() => {
    for (const t of tokens.list()) enqueueToken(t);
  }, resyncMs);

  log(`watching accesstokens in ${namespace ? `namespace ${namespace}` : 'all namespaces'} at ${clients.server} (resync ${resyncMs / 1000} s)`);
  options.onReady?.();

  const handleSignals = options.handleSignals ?? !options.signal;
  let stop = () => {};
  await new Promise<void>((resolve) => {
    stop = resolve;
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (handleSignals) {
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    }
  });
  options.signal?.removeEventListener('abort', stop);
  if (handleSignals) {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }

  log('stopping');
  clearInterval(resync);
  await Promise.all([tokens.stop(), sites.stop(), grantServing?.stop()]);
  await queue.shutDown();
  if (!options.clients) clients.close();
  log('stopped');
}
