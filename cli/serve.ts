// `serve`: the grant service standalone, for testing an implementation by hand.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GrantService } from '../simulator/grant-service/service.ts';
import { getRunPki } from '../simulator/pki.ts';
import { toYaml, type Endpoint } from '../model/resources.ts';
import { codeMarker } from '../model/redact.ts';
import { UsageError } from './errors.ts';
import { parseGoDuration } from '../model/duration.ts';
import { parse } from './args.ts';

/** Go-style durations (15m, 1h30m, 90s), as a positive number of milliseconds. */
export function parseDuration(text: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch {
    ms = 0;
  }
  if (!(ms > 0)) throw new UsageError(`--expiration ${text}: expected a duration like 15m, 1h or 90s`);
  return ms;
}

/** host:port[/group] */
export function parseEndpoint(text: string, index: number): Endpoint[] {
  const m = /^([^:/\s]+):(\d+)(?:\/(.+))?$/.exec(text);
  if (!m) throw new UsageError(`--endpoint ${text}: expected host:port or host:port/group`);
  const group = m[3] ?? `group-${index + 1}`;
  return [{ name: 'inter-router', host: m[1], port: m[2], group }, { name: 'edge', host: m[1], port: String(Number(m[2]) + 1), group }];
}

export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    redemptions: { type: 'string' },
    expiration: { type: 'string' },
    code: { type: 'string' },
    endpoint: { type: 'string', multiple: true },
    'token-file': { type: 'string' },
    'token-name': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'listen-host': { type: 'string' },
  });
  const redemptions = values.redemptions === undefined ? 1 : Number(values.redemptions);
  if (!Number.isInteger(redemptions) || redemptions < 1) throw new UsageError(`--redemptions ${values.redemptions}: expected a whole number of at least 1`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: expected a port number`);
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const expirationWindowMs = values.expiration ? parseDuration(values.expiration as string) : undefined;
  const endpoints = (values.endpoint as string[] | undefined)?.flatMap(parseEndpoint);
  const tokenFile = resolve((values['token-file'] as string | undefined) ?? 'token.yaml');
  const tokenName = (values['token-name'] as string | undefined) ?? 'conformance-token';

  const pki = await getRunPki([...new Set([host, 'localhost', '127.0.0.1'])]);
  const service = await GrantService.start({ pki, urlHost: host, listenHost: (values['listen-host'] as string | undefined) ?? (host === 'localhost' ? '127.0.0.1' : host), port });
  const grant = service.createGrant({ code: values.code as string | undefined, redemptionsAllowed: redemptions, expirationWindowMs, endpoints });
  writeFileSync(tokenFile, toYaml(grant.accessToken(tokenName)), { mode: 0o600 });

  console.log(`grant service listening at ${service.url}`);
  console.log(`grant ${grant.uid}: ${redemptions} redemption(s), expires ${grant.record.expirationTime}, code ${codeMarker(grant.code)}`);
  console.log(`AccessToken written to ${tokenFile} (it holds the code: keep it private)`);
  console.log('Waiting for redemptions; Ctrl-C stops.');
  service.onRequestAnswered((r) => {
    const answer = 'status' in r.answer ? r.answer.status : '';
    const remaining = grant.record.redemptionsAllowed - grant.redemptions;
    console.log(`${r.at} ${r.method} ${r.path} over ${r.tlsVersion ?? r.protocol} name=${r.headers.name ?? '-'} subject=${r.headers.subject ?? '-'} → ${answer} (${remaining} redemption(s) left)`);
  });

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.stop();
  console.log('grant service stopped');
  return 0;
}
