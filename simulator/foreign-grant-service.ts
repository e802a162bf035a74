// Another grant service, the target of redirects: built on mockttp, whose minted certificates are signed
// by the run's CA, so an implementation that follows a redirect would trust it and be seen doing so.
import * as mockttp from 'mockttp';
import { redemptionDocuments, Grant } from './grant-registry.ts';
import type { Pki } from './pki.ts';
import { toYamlStream } from './resources.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class ForeignGrantService {
  private constructor(private readonly server: mockttp.Mockttp, private readonly endpoint: mockttp.MockedEndpoint) {}

  static async start(pki: Pki): Promise<ForeignGrantService> {
    const server = mockttp.getLocal({ https: { key: pki.ca.keyPem, cert: pki.ca.certPem } });
    await server.start();
    // it answers any POST with a valid redemption, as a second grant service would
    const endpoint = await server.forPost(/.*/).thenCallback((req) => {
      const name = String(req.headers.name || 'redirected');
      return { statusCode: 200, body: toYamlStream(redemptionDocuments(pki, new Grant(), name, String(req.headers.subject || name))) };
    });
    return new ForeignGrantService(server, endpoint);
  }

  /** mockttp mints a leaf per SNI name (DNS SANs only), so the host must be a name: localhost. */
  get url(): string {
    return `https://localhost:${this.server.port}`;
  }

  async requests(): Promise<SeenRequest[]> {
    const seen = await this.endpoint.getSeenRequests();
    return Promise.all(seen.map(async (r) => ({ method: r.method, path: r.path, headers: r.headers, body: (await r.body.getText()) ?? '' })));
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
