// `controller`: the reference redeemer as a Kubernetes controller, serving AccessGrants too, until SIGINT or SIGTERM.
import { firstLine } from '../model/text.ts';
import { UsageError } from './errors.ts';
import { parse } from './args.ts';

export async function controllerCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string' },
    'resync-seconds': { type: 'string' },
    'grant-port': { type: 'string' },
    'grant-host': { type: 'string' },
  });
  const resyncSeconds = values['resync-seconds'] === undefined ? 30 : Number(values['resync-seconds']);
  if (!(resyncSeconds > 0)) throw new UsageError(`--resync-seconds ${values['resync-seconds']}: expected a number above 0`);
  const grantPort = values['grant-port'] === undefined ? 0 : Number(values['grant-port']);
  if (!Number.isInteger(grantPort) || grantPort < 0 || grantPort > 65535) {
    throw new UsageError(`--grant-port ${values['grant-port']}: expected a port number (0: any free port)`);
  }
  const { runController } = await import('../simulator/redeemer/kubernetes/controller.ts');
  const abort = new AbortController();
  process.once('SIGTERM', () => abort.abort());
  process.once('SIGINT', () => abort.abort());
  try {
    await runController({
    kubeconfig: values.kubeconfig as string | undefined,
    context: values.context as string | undefined,
    namespace: values.namespace as string | undefined,
    resyncSeconds,
    signal: abort.signal,
    // AccessGrants are served over HTTPS on 127.0.0.1 (the run's PKI); --grant-host names the host in their URLs
    grants: { port: grantPort, grantHost: values['grant-host'] as string | undefined },
    });
  } catch (e) {
    // a cluster without the CRDs, an unreachable API server, a bad kubeconfig: one line, exit 2
    throw new UsageError(`controller: ${firstLine(e)}`);
  }
  return 0;
}
