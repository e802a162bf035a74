// Another grant service, the one a redirect points to: a mockttp server that would redeem anything POSTed
// to it. Skupper's redeemers never follow a redirect, so a scenario proves that by showing this service saw
// nothing. mockttp mints a leaf certificate per SNI host name, signed by the CA it is given (the run's CA,
// so the redirect target would verify), with a DNS SAN only: its URL uses host `localhost`, never an IP.
import * as mockttp from 'mockttp';
import { Grant, redemptionDocuments } from './registry.ts';
import type { Pki } from '../pki.ts';
import { flattenHeaders, httpError, redemptionAnswer, redemptionNames, wireBody } from './wire.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `https`, or `http` for a plain request (mockttp's port answers both). */
  protocol: string;
}

export class ForeignGrantService {
  private constructor(
    private readonly server: mockttp.Mockttp,
    private readonly endpoints: mockttp.MockedEndpoint[],
  ) {}

  /** Starts the service on a free port with a rule that answers every POST with a valid redemption. */
  static async start(pki: Pki): Promise<ForeignGrantService> {
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
      return new ForeignGrantService(server, [redeem, rest]);
    } catch (e) {
      await server.stop();
      throw e;
    }
  }

  /** `https://localhost:PORT`: mockttp's certificates name the SNI host only, so never an IP address. */
  get url(): string {
    return `https://localhost:${this.server.port}`;
  }

  /** Every request the service has answered, in arrival order. */
  async requests(): Promise<SeenRequest[]> {
    const seen = (await Promise.all(this.endpoints.map((e) => e.getSeenRequests()))).flat();
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

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
