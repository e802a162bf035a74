// A Kubernetes API server for the tests against a real cluster (test/adapters/kubernetes/, test/simulator/*/kubernetes/) and the bench.
//
// - KUBECONFIG set: that cluster is used as it is (nothing is started or stopped). The tests then create
//   namespaces named actest-*, install the project's CRDs only when the cluster has none, and never
//   delete CRDs.
// - Otherwise the shared tool (../shared/tools/kube-apiserver next to the repository, or
//   $KUBE_APISERVER_TOOL) starts a private etcd + kube-apiserver for this test process, on free ports and
//   its own run directory, when its binary is already built (or when $CI is set: there the tool may
//   spend ~7 minutes building it).
// - Neither: undefined, and the tests skip with KUBE_SKIP_MESSAGE.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const KUBE_SKIP_MESSAGE =
  'no Kubernetes API server: set KUBECONFIG to a throw-away cluster, or build the local one once with ' +
  '`../shared/tools/kube-apiserver build` (or point KUBE_APISERVER_TOOL at the tool), then run ' +
  '`node --import tsx --test test/adapters/kubernetes/*.test.ts test/simulator/redeemer/kubernetes/*.test.ts test/simulator/grant-service/kubernetes/*.test.ts`';

export interface TestApiServer {
  kubeconfig: string;
  /** True when this process started the server (it is fresh and private: CRDs may be deleted). */
  started: boolean;
  stop(): Promise<void>;
}

export function kubeApiServerTool(): string {
  return process.env.KUBE_APISERVER_TOOL ?? resolve(REPOSITORY_ROOT, '..', 'shared', 'tools', 'kube-apiserver');
}

function toolBinaryCached(): boolean {
  const cache = process.env.KUBE_APISERVER_CACHE ?? join(homedir(), '.cache', 'kube-apiserver-1.20');
  return existsSync(join(cache, 'kube-apiserver'));
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Two free ports a and a+1 (etcd takes its client port and the next one for peers). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port >= 65535) continue;
    const ok = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (ok) return port;
  }
  throw new Error('no two adjacent free ports for etcd');
}

let current: Promise<TestApiServer | undefined> | undefined;

/**
 * The API server for this test process (started once, shared by the tests of the file), or undefined
 * when there is none to use. Call `stop()` of the result in an `after` hook.
 */
export function kubeApiServer(): Promise<TestApiServer | undefined> {
  current ??= start();
  return current;
}

async function start(): Promise<TestApiServer | undefined> {
  if (process.env.KUBECONFIG) {
    return { kubeconfig: process.env.KUBECONFIG, started: false, stop: async () => {} };
  }
  const tool = kubeApiServerTool();
  if (!existsSync(tool) || !(toolBinaryCached() || process.env.CI)) return undefined;

  const runDir = mkdtempSync(join(tmpdir(), 'kube-apiserver-test-'));
  const env = {
    ...process.env,
    KUBE_APISERVER_RUN: runDir,
    KUBE_APISERVER_PORT: String(await freePort()),
    KUBE_ETCD_PORT: String(await freePortPair()),
  };
  // If this process dies without stopping the server, its etcd and API server must not outlive it.
  const killOnExit = () => {
    for (const p of ['apiserver', 'etcd']) {
      try {
        process.kill(Number(readFileSync(join(runDir, `${p}.pid`), 'utf8')));
      } catch {
        // not started or already gone
      }
    }
  };
  process.once('exit', killOnExit);

  let stdout: string;
  try {
    ({ stdout } = await run(tool, ['start'], { env, maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    killOnExit();
    process.off('exit', killOnExit);
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tool} start failed: ${e.stderr?.trim() || e.message}`);
  }
  const match = /export KUBECONFIG=(\S+)/.exec(stdout);
  if (!match) throw new Error(`${tool} start printed no KUBECONFIG: ${stdout}`);
  let stopped = false;
  return {
    kubeconfig: match[1],
    started: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await run(tool, ['stop'], { env });
      } finally {
        process.off('exit', killOnExit);
        rmSync(runDir, { recursive: true, force: true });
      }
    },
  };
}
