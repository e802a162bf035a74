// The grant service's endpoint variants: plain node:https servers, because every one of them must present
// an exact certificate (an IP SAN for 127.0.0.1, an expired one, one for the wrong host, one from another
// CA) and bind to loopback; mockttp mints its own leaf per SNI name and listens on every interface.
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { SecureVersion, TLSSocket } from 'node:tls';
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
  /** How the primary endpoint serves; default Skupper's way. */
  primary?: PrimaryEndpointOptions;
}

/**
 * The primary endpoint's ways, Skupper's by default: the run's server certificate, TLS 1.3 only, no plain
 * HTTP. A deliberately broken grant service changes one of them.
 */
export interface PrimaryEndpointOptions {
  /** The oldest TLS version accepted (default TLSv1.3, as Skupper's tlscfg.Modern()). */
  minVersion?: SecureVersion;
  /** The certificate served (default the PKI's server certificate). */
  certificate?: (pki: Pki) => CertifiedKey;
  /** Also serve plain HTTP on the same port (the first byte of a connection tells which). Default false. */
  plainHttpToo?: boolean;
}

interface Listener {
  server: net.Server;
  baseUrl: string;
  sockets: Set<Socket>;
}

export class Endpoints {
  private readonly listeners = new Map<EndpointKind, Promise<Listener>>();
  /** The TCP socket under each connection, by address: a TLS socket cannot be reset itself. */
  private readonly tcpSockets = new Map<string, Socket>();
  /** How many of the next connections to the primary endpoint get no TLS handshake, and those taken so. */
  private handshakesToStall = 0;
  private readonly stalled = new Set<Socket>();

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

  /**
   * The next `times` connections to the primary endpoint are taken and left as they are: the client's
   * ClientHello is read and never answered, so its TLS handshake never ends (until releaseStalled()).
   */
  stallHandshakes(times: number): void {
    this.handshakesToStall = times;
  }

  /** Stalls no more handshakes; those stalled already stay so until their client leaves. */
  stopStalling(): void {
    this.handshakesToStall = 0;
  }

  /** Closes the stalled connections and stops stalling new ones. */
  releaseStalled(): void {
    this.stopStalling();
    for (const s of this.stalled) s.destroy();
    this.stalled.clear();
  }

  /** The primary endpoint's door: a stalled handshake, the plain HTTP server too (sniffing), or the TLS server. */
  private primaryDoor(tlsServer: https.Server, plain: http.Server | undefined): net.Server {
    const handOver = plain ? sniffer(tlsServer, plain) : (socket: Socket) => tlsServer.emit('connection', socket);
    return net.createServer((socket) => {
      if (this.handshakesToStall > 0) {
        this.handshakesToStall -= 1;
        this.stalled.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.stalled.delete(socket));
        socket.resume(); // read what the client sends, answer nothing
        return;
      }
      handOver(socket);
    });
  }

  private certificateFor(kind: EndpointKind): CertifiedKey {
    switch (kind) {
      case 'primary': return this.address.primary?.certificate?.(this.pki) ?? this.pki.server;
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
    let server: net.Server;
    if (kind === 'plain-http') {
      server = http.createServer(handler);
      (server as http.Server).keepAliveTimeout = 1000;
    } else {
      const cert = this.certificateFor(kind);
      // Skupper's server is tlscfg.Modern(): TLS 1.3 only. The tls12-only variant offers nothing newer than 1.2.
      const primary = kind === 'primary' ? this.address.primary : undefined;
      const tlsServer = https.createServer(
        {
          key: cert.keyPem,
          // the leaf alone, as Skupper's grant server serves tls.crt (the CA is in ca.crt, published in the grant)
          cert: cert.certPem,
          minVersion: kind === 'tls12-only' ? 'TLSv1.2' : (primary?.minVersion ?? 'TLSv1.3'),
          maxVersion: kind === 'tls12-only' ? 'TLSv1.2' : 'TLSv1.3',
        },
        handler,
      );
      tlsServer.keepAliveTimeout = 1000;
      // TLS handshakes the client abandoned (it rejected our certificate) are expected here, not errors
      tlsServer.on('tlsClientError', () => {});
      // the primary endpoint is reached through a door of its own, which can stall a handshake (or serve plain HTTP too)
      server = kind === 'primary' ? this.primaryDoor(tlsServer, primary?.plainHttpToo ? http.createServer(handler) : undefined) : tlsServer;
    }
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
    this.releaseStalled();
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

/**
 * One port for both: a connection whose first byte opens a TLS handshake (0x16) goes to the HTTPS server,
 * any other to the plain HTTP one. (Only a deliberately broken grant service serves this way.)
 */
function sniffer(tlsServer: https.Server, plainServer: http.Server): (socket: Socket) => void {
  plainServer.keepAliveTimeout = 1000;
  return (socket) => {
    // until the first byte, nothing else listens: a connection reset before it must not throw
    const dropped = () => socket.destroy();
    socket.on('error', dropped);
    socket.once('data', (first: Buffer) => {
      socket.off('error', dropped);
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? tlsServer : plainServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  };
}

function socketKey(s: Socket): string {
  return `${s.localPort}|${s.remoteAddress}|${s.remotePort}`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
