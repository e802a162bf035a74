// The grant service's endpoint variants: plain node:https servers, because every one of them must present
// an exact certificate (an IP SAN for 127.0.0.1, an expired one, one for the wrong host, one from another
// CA) and bind to loopback; mockttp mints its own leaf per SNI name and listens on every interface.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CertifiedKey, Pki } from '../pki.ts';

/** Variants of the service a scenario can point a token at; all share the grants of the service. */
export type EndpointKind = 'primary' | 'tls12-only' | 'expired-certificate' | 'wrong-host' | 'other-ca' | 'plain-http';

export type EndpointHandler = (kind: EndpointKind, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export interface EndpointAddress {
  /** Address to listen on. */
  listenHost: string;
  /** Host name put in URLs. */
  urlHost: string;
  /** Port of the primary endpoint (0: any free one); the other variants take a free one. */
  port: number;
}

interface Listener {
  server: http.Server | https.Server;
  baseUrl: string;
  sockets: Set<Socket>;
}

export class Endpoints {
  private readonly listeners = new Map<EndpointKind, Promise<Listener>>();
  /** The TCP socket under each connection, by address: a TLS socket cannot be reset itself. */
  private readonly tcpSockets = new Map<string, Socket>();

  constructor(private readonly pki: Pki, private readonly address: EndpointAddress, private readonly handler: EndpointHandler) {}

  /** Starts (once) and returns the base URL of an endpoint variant. */
  async baseUrl(kind: EndpointKind): Promise<string> {
    let listener = this.listeners.get(kind);
    if (!listener) {
      listener = this.listen(kind);
      this.listeners.set(kind, listener);
    }
    return (await listener).baseUrl;
  }

  private certificateFor(kind: EndpointKind): CertifiedKey {
    switch (kind) {
      case 'expired-certificate': return this.pki.expiredServer;
      case 'wrong-host': return this.pki.wrongHostServer;
      case 'other-ca': return this.pki.otherCaServer;
      default: return this.pki.server;
    }
  }

  private async listen(kind: EndpointKind): Promise<Listener> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      // a failure while serving must not become an unhandled rejection: drop the connection instead
      this.handler(kind, req, res).catch(() => res.destroy());
    };
    let server: http.Server | https.Server;
    if (kind === 'plain-http') {
      server = http.createServer(handler);
    } else {
      const cert = this.certificateFor(kind);
      server = https.createServer(
        {
          key: cert.keyPem,
          // the leaf alone, as Skupper's grant server serves tls.crt (the CA is in ca.crt, published in the grant)
          cert: cert.certPem,
          // Skupper's server is tlscfg.Modern(): TLS 1.3 only. The tls12-only variant offers nothing newer than 1.2.
          minVersion: kind === 'tls12-only' ? 'TLSv1.2' : 'TLSv1.3',
          maxVersion: kind === 'tls12-only' ? 'TLSv1.2' : 'TLSv1.3',
        },
        handler,
      );
    }
    server.keepAliveTimeout = 1000;
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      const key = socketKey(s);
      this.tcpSockets.set(key, s);
      s.on('close', () => {
        sockets.delete(s);
        if (this.tcpSockets.get(key) === s) this.tcpSockets.delete(key);
      });
    });
    // TLS handshakes the client abandoned (it rejected our certificate) are expected here, not errors
    server.on('tlsClientError', () => {});
    const port = kind === 'primary' ? this.address.port : 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.address.listenHost, () => resolve());
    });
    const { port: bound } = server.address() as AddressInfo;
    const scheme = kind === 'plain-http' ? 'http' : 'https';
    // every variant is addressed by the same host: the wrong-host variant is wrong by its certificate
    return { server, baseUrl: `${scheme}://${formatHost(this.address.urlHost)}:${bound}`, sockets };
  }

  /**
   * Sends a TCP RST. socket.resetAndDestroy() only works on a socket with a TCP handle; a TLS socket has a
   * TLSWrap handle (resetAndDestroy throws ERR_INVALID_HANDLE_TYPE), so the TCP socket under it is reset.
   */
  resetSocket(socket: Socket): void {
    const tcp = (socket as TLSSocket).encrypted ? this.tcpSockets.get(socketKey(socket)) : socket;
    try {
      if (!tcp) throw new Error('no TCP socket');
      tcp.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  }

  /** Stops every endpoint and drops open connections: nothing is left listening. */
  async stop(): Promise<void> {
    const listeners = await Promise.all(this.listeners.values());
    this.listeners.clear();
    await Promise.all(
      listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            for (const s of l.sockets) s.destroy();
            l.server.close(() => resolve());
          }),
      ),
    );
  }
}

function socketKey(s: Socket): string {
  return `${s.localPort}|${s.remoteAddress}|${s.remotePort}`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
