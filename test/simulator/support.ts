// Helpers shared by the simulator's tests (not a test file itself: the runner only picks *.test.ts).
import { after, before, beforeEach } from 'node:test';
import { GrantService } from '../../simulator/grant-service/service.ts';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { decodeBase64, parseYamlDocuments, type Link, type Secret } from '../../model/resources.ts';

/** `openssl x509 -noout` with the given options, on a PEM certificate: an independent reading of it. */
export function openssl(pem: string, ...options: string[]): string {
  return execFileSync('openssl', ['x509', '-noout', ...options], { input: pem, encoding: 'utf8' });
}

/** The hex value of one X.509v3 extension as openssl prints it (`subjectKeyIdentifier`, …). */
export function opensslExtension(pem: string, name: string): string {
  const text = openssl(pem, '-ext', name);
  return text.split('\n').slice(1).join('\n').trim();
}

export function cn(cert: X509Certificate): string {
  const match = /^CN=(.*)$/m.exec(cert.subject);
  return match ? match[1] : '';
}

/** The documents of a 200 answer, the first one the Secret. */
export function parseRedemption(body: string): { secret: Secret; links: Link[] } {
  const [secret, ...links] = parseYamlDocuments(body) as [Secret, ...Link[]];
  return { secret, links };
}

/** The client certificate a redemption returned. */
export function secretCertificate(secret: Secret): X509Certificate {
  return new X509Certificate(decodeBase64(secret.data?.['tls.crt']));
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  tlsVersion?: string;
}

/**
 * A plain node:https request trusting only `ca`, for the cases postCode deliberately does not cover (a
 * method other than POST, TLS 1.2). TLS verification stays on.
 */
export function httpsRequest(
  url: string,
  options: { method?: string; body?: string; ca: string; headers?: Record<string, string>; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; servername?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'POST',
        ca: options.ca,
        headers: options.headers,
        agent: false,
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const tlsVersion = (res.socket as import('node:tls').TLSSocket).getProtocol?.() ?? undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), tlsVersion }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

/** Resolves with the error code a TCP connection to host:port fails with, or 'connected'. */
export function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** One grant service for the whole test file, reset before each test; `set` receives it once it runs. */
export function useGrantService(set: (service: GrantService) => void): void {
  let service: GrantService;
  before(async () => {
    service = await GrantService.start();
    set(service);
  });
  after(async () => {
    await service.stop();
  });
  beforeEach(() => {
    service.reset();
  });
}
