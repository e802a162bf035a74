// The foreign grant service's home: a worker thread that loads mockttp and serves the redirect targets.
// mockttp takes ~0.4 s of CPU to load; here that load runs on another core, not on the thread that runs
// the scenarios (see ForeignGrantService). Each `start` serves one more foreign service on a port of its
// own (prepared ahead when asked); the thread answers the main thread's requests by id.
import { parentPort } from 'node:worker_threads';
import * as mockttp from 'mockttp';
import { Grant, redemptionDocuments } from './registry.ts';
import { pkiFromKeys, type Pki, type PkiKeys } from '../pki.ts';
import { flattenHeaders, httpError, redemptionAnswer, redemptionNames, wireBody } from './wire.ts';
import type { ForeignCall, ForeignReply, SeenRequest } from './foreign-service.ts';

interface Served {
  server: mockttp.Mockttp;
  endpoints: mockttp.MockedEndpoint[];
}

const served = new Map<number, Served>();
let nextServer = 1;
// certificates are issued once per CA handed over, not per service
const pkis = new Map<string, Pki>();

function pkiOf(keys: PkiKeys): Pki {
  let pki = pkis.get(keys.ca.certPem);
  if (!pki) {
    pki = pkiFromKeys(keys);
    pkis.set(keys.ca.certPem, pki);
  }
  return pki;
}

// A service started ahead for each CA that asked for one (prepare): mockttp's first start in a process
// takes ~0.4 s (its certificate authority's setup), which a redirect scenario would otherwise wait out.
// Handed out at the next start for that CA, and replaced then. Nobody knows a spare's port before it is
// handed out, so its request log is still empty.
const spares = new Map<string, Promise<Served>>();

function prepare(keys: PkiKeys): void {
  if (spares.has(keys.ca.certPem)) return;
  const spare = serve(keys);
  spare.catch(() => spares.delete(keys.ca.certPem));
  spares.set(keys.ca.certPem, spare);
}

async function start(keys: PkiKeys): Promise<{ server: number; port: number }> {
  const spare = spares.get(keys.ca.certPem);
  spares.delete(keys.ca.certPem);
  const started = (spare && (await spare.catch(() => undefined))) ?? (await serve(keys));
  if (spare) prepare(keys);
  const id = nextServer++;
  served.set(id, started);
  return { server: id, port: started.server.port };
}

/** Starts a mockttp server on a free port with a rule that answers every POST with a valid redemption. */
async function serve(keys: PkiKeys): Promise<Served> {
  const pki = pkiOf(keys);
  const server = mockttp.getLocal({
    https: { key: pki.ca.keyPem, cert: pki.ca.certPem, tlsServerOptions: { minVersion: 'TLSv1.3' } },
    recordTraffic: true,
    suggestChanges: false,
    cors: false,
    http2: false,
  });
  // a random start spreads parallel test processes over the range; get-port skips ports in use
  const startPort = 20_000 + Math.floor(Math.random() * 20_000);
  await server.start({ startPort, endPort: 65_000 });
  try {
    // one throwaway grant stands for whatever this other service would hand out
    const grant = new Grant({ name: 'foreign-grant', namespace: 'foreign-site' });
    const redeem = await server
      .forPost(/.*/)
      .always()
      .thenCallback((request) => {
        const { name, subject } = redemptionNames(request.headers, grant.name);
        const answer = redemptionAnswer(redemptionDocuments(pki, grant, name, subject));
        return { statusCode: answer.status, headers: answer.headers, body: wireBody(answer) };
      });
    // everything else is seen too (so "nothing arrived" covers every method), and refused as Skupper does
    const refusal = httpError(405, 'Only POST is supported');
    const rest = await server.forUnmatchedRequest().thenReply(refusal.status, wireBody(refusal), refusal.headers);
    return { server, endpoints: [redeem, rest] };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

async function requests(id: number): Promise<SeenRequest[]> {
  const s = served.get(id);
  if (!s) return [];
  const seen = (await Promise.all(s.endpoints.map((e) => e.getSeenRequests()))).flat();
  seen.sort((a, b) => a.timingEvents.startTime - b.timingEvents.startTime);
  return Promise.all(
    seen.map(async (r) => ({
      method: r.method,
      path: r.path,
      headers: flattenHeaders(r.headers),
      body: (await r.body.getText()) ?? '',
      protocol: r.protocol,
    })),
  );
}

async function stop(id: number): Promise<void> {
  const s = served.get(id);
  served.delete(id);
  await s?.server.stop();
}

async function answer(call: ForeignCall): Promise<unknown> {
  switch (call.op) {
    case 'ready': return undefined;
    case 'prepare': return prepare(call.keys);
    case 'start': return start(call.keys);
    case 'requests': return requests(call.server);
    case 'stop': return stop(call.server);
  }
}

parentPort!.on('message', (call: ForeignCall) => {
  answer(call).then(
    (value) => parentPort!.postMessage({ id: call.id, value } satisfies ForeignReply),
    (e: unknown) => parentPort!.postMessage({ id: call.id, error: e instanceof Error ? e.message : String(e) } satisfies ForeignReply),
  );
});
