// The hostile probes of a grant service (steps/judging/grant-probes.ts), over real HTTPS that trusts only
// the grant's CA: raw requests with any method and path, wrong codes, the burst of concurrent redemptions
// (never more than the reference allows, and a service that checks and counts with a gap in between
// caught on every round), the bounds on every probe, and the judgements over what came back.
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { GrantServiceImplementation, IssuingSite } from '../../../adapters/contract.ts';
import createReference from '../../../simulator/grant-service/implementation.ts';
import { getRunPki, type Pki } from '../../../simulator/pki.ts';
import { SKUPPER_API_VERSION, type AccessGrant, type AccessGrantSpec } from '../../../model/resources.ts';
import { burst, parseHttpResponse } from '../../../steps/judging/grant-burst.ts';
import { describeAnswer, judgeAnswer, judgeAtMost, judgeExactly, judgeRefused, type ProbeAnswer, type Round, sendRaw, tally, unknownGrantUrl, WRONG_CODES, wrongCode } from '../../../steps/judging/grant-probes.ts';
import { CountError, describeDuration, judgeExpirationTime, sampleWhile, waitForCount } from '../../../steps/judging/grant-status-watch.ts';

const site: IssuingSite = {
  name: 'issuing',
  namespace: 'probes',
  uid: 'uid-issuing',
  endpoints: [{ name: 'inter-router', host: 'router.issuing.example.test', port: '55671', group: 'g' }],
};
const headers = { name: 'token-probe', subject: site.uid };

let reference: GrantServiceImplementation;
let pki: Pki;
let grants = 0;

before(async () => {
  reference = await createReference({});
  pki = await getRunPki();
});
after(async () => {
  await reference.close?.();
});

type Issued = AccessGrant & { status: { url: string; code: string; ca: string } };

/** A grant of the reference grant service, issued. */
async function grant(spec: AccessGrantSpec = {}): Promise<Issued> {
  const name = `probe-${++grants}`;
  await reference.applyGrant({ apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name }, spec }, site);
  const found = (await reference.observe(site)).accessGrants.find((g) => g.metadata.name === name);
  assert.ok(found?.status?.url && found.status.code && found.status.ca, 'the reference issued the grant');
  return found as Issued;
}

async function redemptionsOf(name: string): Promise<number | undefined> {
  return (await reference.observe(site)).accessGrants.find((g) => g.metadata.name === name)?.status?.redemptions;
}

/** A server that never completes anything: it accepts TCP connections and stays silent. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/silent`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * A grant service that checks a redemption is left, then lets something asynchronous happen (`gap`), and
 * only then counts it: a race for concurrent redemptions. TLS as the reference's (TLS 1.3, the run's CA).
 */
async function racyService(allowed: number, code: string, gap: () => Promise<void>, options: { maxVersion?: 'TLSv1.2' } = {}) {
  let redemptions = 0;
  const server = https.createServer(
    { key: pki.server.keyPem, cert: pki.server.certPem, minVersion: options.maxVersion ?? 'TLSv1.3', maxVersion: options.maxVersion ?? 'TLSv1.3' },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (Buffer.concat(chunks).toString('utf8') !== code) return res.writeHead(403).end('Redemption of access token refused\n');
        if (redemptions >= allowed) return res.writeHead(404).end('No such access granted\n');
        await gap();
        redemptions += 1;
        res.writeHead(200).end('documents');
      });
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/racy`,
    reset: () => (redemptions = 0),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('sendRaw', () => {
  test('any method at the grant URL: the reference answers 405 Only POST is supported, and serves nothing', async () => {
    const g = await grant();
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await sendRaw({ url: g.status.url, method, body: g.status.code, headers, ca: g.status.ca });
      assert.equal(answer.status, 405, method);
      assert.equal(answer.body, 'Only POST is supported\n');
    }
    assert.equal(await redemptionsOf(g.metadata.name), 0);
    const post = await sendRaw({ url: g.status.url, method: 'POST', body: g.status.code, headers, ca: g.status.ca });
    assert.equal(post.status, 200);
  });

  test('a HEAD carries no body and is answered too', async () => {
    const g = await grant();
    const answer = await sendRaw({ url: g.status.url, method: 'HEAD', body: g.status.code, headers, ca: g.status.ca });
    assert.equal(answer.status, 405);
    assert.equal(answer.body, '');
  });

  test('an unknown grant beside the real one: 404 No such claim', async () => {
    const g = await grant();
    const url = unknownGrantUrl(g.status.url);
    assert.equal(new URL(url).origin, new URL(g.status.url).origin);
    assert.notEqual(url, g.status.url);
    const answer = await sendRaw({ url, method: 'POST', body: g.status.code, headers, ca: g.status.ca });
    assert.equal(answer.status, 404);
    assert.equal(answer.body?.trim(), 'No such claim');
  });

  test('trusts only the CA it is given: an unrelated CA gives an error, never an answer', async () => {
    const g = await grant();
    const answer = await sendRaw({ url: g.status.url, method: 'POST', body: g.status.code, headers, ca: pki.unrelatedCa.certPem });
    assert.equal(answer.status, undefined);
    assert.match(answer.error ?? '', /certificate|self.signed|verify/i);
    assert.equal(await redemptionsOf(g.metadata.name), 0);
  });

  test('speaks TLS 1.3 only: a server that offers no more than TLS 1.2 gives an error', async () => {
    const server = await racyService(1, 'c', async () => {}, { maxVersion: 'TLSv1.2' });
    try {
      const answer = await sendRaw({ url: server.url, method: 'POST', body: 'c', headers, ca: pki.ca.certPem });
      assert.equal(answer.status, undefined);
      assert.ok(answer.error);
    } finally {
      await server.close();
    }
  });

  test('is bounded: a server that never answers gives an error after the timeout', async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const answer = await sendRaw({ url: silent.url, method: 'GET', ca: pki.ca.certPem, timeoutMs: 200 });
      assert.match(answer.error ?? '', /no answer within 200 ms/);
      assert.ok(performance.now() - started < 2000);
    } finally {
      await silent.close();
    }
  });

  test('refuses anything but https', async () => {
    assert.match((await sendRaw({ url: 'http://127.0.0.1:1/x', method: 'GET', ca: '' })).error ?? '', /not an https URL/);
  });
});

describe('wrong codes', () => {
  test('each kind differs from the code, for codes of letters, digits and both', () => {
    for (const code of ['aB3dE5gH7jK9mN1pQ3sT5vW7', '123456789012', 'abcdef']) {
      for (const kind of Object.keys(WRONG_CODES)) assert.notEqual(wrongCode(kind, code), code, `${kind} of ${code}`);
    }
    assert.equal(wrongCode('another code of the same length', 'abc123').length, 6);
    assert.equal(wrongCode('an empty body', 'abc123'), '');
    assert.equal(wrongCode('the code without its last character', 'abc123'), 'abc12');
    assert.equal(wrongCode('the code with its letters in the other case', 'abC123'), 'ABc123');
  });

  test('an unknown kind names the known ones', () => {
    assert.throws(() => wrongCode('a guess', 'abc'), /"another code of the same length"/);
  });

  test('the reference refuses each with 403 and still redeems the right code after', async () => {
    for (const kind of Object.keys(WRONG_CODES)) {
      const g = await grant();
      const answer = await sendRaw({ url: g.status.url, method: 'POST', body: wrongCode(kind, g.status.code), headers, ca: g.status.ca });
      assert.equal(answer.status, 403, kind);
      const right = await sendRaw({ url: g.status.url, method: 'POST', body: g.status.code, headers, ca: g.status.ca });
      assert.equal(right.status, 200, kind);
    }
  });
});

describe('parseHttpResponse', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  test('a body of Content-Length, complete or not yet', () => {
    assert.deepEqual(parseHttpResponse(b('HTTP/1.1 404 Not Found\r\nContent-Length: 14\r\n\r\nNo such claim\n'), false)?.body, 'No such claim\n');
    assert.equal(parseHttpResponse(b('HTTP/1.1 404 Not Found\r\nContent-Length: 14\r\n\r\nNo such'), false), undefined);
    assert.equal(parseHttpResponse(b('HTTP/1.1 404 Not Found\r\nContent-Le'), false), undefined);
  });
  test('a chunked body', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n';
    assert.deepEqual(parseHttpResponse(b(text), false), { status: 200, headers: { 'transfer-encoding': 'chunked' }, body: 'hello world' });
    assert.equal(parseHttpResponse(b(text.slice(0, 60)), false), undefined);
  });
  test('a body that runs to the end of the connection', () => {
    assert.equal(parseHttpResponse(b('HTTP/1.0 200 OK\r\n\r\nall of it'), false), undefined);
    assert.equal(parseHttpResponse(b('HTTP/1.0 200 OK\r\n\r\nall of it'), true)?.body, 'all of it');
  });
  test('not HTTP', () => {
    assert.throws(() => parseHttpResponse(b('SSH-2.0-OpenSSH\r\n\r\n'), true), /not an HTTP response/);
  });
});

describe('the burst', () => {
  test('against the reference: exactly k answers 200 and the others 404 No such access granted, round after round', async () => {
    const rounds: Round[] = [];
    for (const allowed of [1, 3]) {
      for (let round = 0; round < 3; round++) {
        const g = await grant({ redemptionsAllowed: allowed });
        const result = await burst({ url: g.status.url, code: g.status.code, ca: g.status.ca, headers, count: 50 });
        assert.equal(result.opened, 50);
        rounds.push({ grant: g.metadata.name, allowed, result });
        assert.equal(await redemptionsOf(g.metadata.name), allowed);
      }
    }
    assert.equal(judgeAtMost(rounds), undefined);
    assert.equal(judgeExactly(rounds, 404, 'No such access granted'), undefined);
  });

  test('the requests are written together: one synchronous loop, after every connection is open', async () => {
    const g = await grant({ redemptionsAllowed: 1 });
    const result = await burst({ url: g.status.url, code: g.status.code, ca: g.status.ca, headers, count: 50 });
    assert.ok(result.writeSpreadMs < 100, `the writes took ${result.writeSpreadMs} ms`);
  });

  // The promise the rules make: a service that checks and counts with anything asynchronous in between is
  // caught on every round, however short the gap, not now and then.
  const gaps: Record<string, () => Promise<void>> = {
    'a setImmediate': () => new Promise((r) => setImmediate(r)),
    'a write of 5 ms': () => new Promise((r) => setTimeout(r, 5)),
  };
  for (const [what, gap] of Object.entries(gaps)) {
    test(`catches a service with ${what} between the check and the count, on every round`, async () => {
      for (const allowed of [1, 3]) {
        const code = 'c0de-of-the-racy-service';
        const racy = await racyService(allowed, code, gap);
        try {
          for (let round = 0; round < 4; round++) {
            racy.reset();
            const result = await burst({ url: racy.url, code, ca: pki.ca.certPem, headers, count: 50 });
            const rounds = [{ grant: `racy-${round}`, allowed, result }];
            const failure = judgeAtMost(rounds);
            assert.ok(failure, `round ${round + 1} (k = ${allowed}) was not caught: ${tally(result.answers)}`);
            assert.match(failure, /expected at most k answers 200 to 50 concurrent redemptions/);
          }
        } finally {
          await racy.close();
        }
      }
    });
  }

  test('is bounded: connections that never open, and connections that are never answered, become errors', async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const result = await burst({ url: silent.url, code: 'c', ca: pki.ca.certPem, headers, count: 5, timeoutMs: 200 });
      assert.equal(result.opened, 0);
      assert.ok(result.answers.every((a) => /not open within 200 ms/.test(a.error ?? '')), tally(result.answers));
      assert.ok(performance.now() - started < 2000);
    } finally {
      await silent.close();
    }
    const mute = await racyService(1, 'c', () => new Promise(() => {}));
    try {
      const result = await burst({ url: mute.url, code: 'c', ca: pki.ca.certPem, headers, count: 5, timeoutMs: 300 });
      assert.equal(result.opened, 5);
      assert.ok(result.answers.every((a) => /no answer within 300 ms/.test(a.error ?? '')), tally(result.answers));
    } finally {
      await mute.close();
    }
  });

  test('trusts only the CA it is given', async () => {
    const g = await grant({ redemptionsAllowed: 1 });
    const result = await burst({ url: g.status.url, code: g.status.code, ca: pki.unrelatedCa.certPem, headers, count: 3 });
    assert.equal(result.opened, 0);
    assert.ok(result.answers.every((a) => /could not be opened/.test(a.error ?? '')));
    assert.equal(await redemptionsOf(g.metadata.name), 0);
  });

  test('status.redemptions sampled while the burst runs never passes the limit on the reference', async () => {
    const g = await grant({ redemptionsAllowed: 2 });
    const { result, samples } = await sampleWhile(
      burst({ url: g.status.url, code: g.status.code, ca: g.status.ca, headers, count: 30 }),
      () => redemptionsOf(g.metadata.name),
    );
    assert.equal(result.answers.filter((a) => a.status === 200).length, 2);
    assert.ok(samples.length >= 2);
    assert.ok(samples.every((n) => (n ?? 0) <= 2), samples.join(','));
    assert.equal(samples.at(-1), 2);
  });
});

describe('judgements', () => {
  const a = (status: number | undefined, body?: string, error?: string): ProbeAnswer => ({ status, body, error });
  const round = (allowed: number, answers: ProbeAnswer[]): Round => ({ grant: 'g', allowed, result: { answers } });

  test('an answer in words, never a 200 body', () => {
    assert.equal(describeAnswer(a(200, 'tls.key: secret')), '200');
    assert.equal(describeAnswer(a(404, 'No such claim\n')), '404 "No such claim"');
    assert.equal(describeAnswer(a(undefined, undefined, 'reset')), 'no answer (reset)');
    assert.equal(tally([a(200, 'x'), a(404, 'No such access granted\n'), a(404, 'No such access granted\n')]), '2 × 404 "No such access granted", 1 × 200');
  });

  test('an expected answer, and a refusal', () => {
    assert.equal(judgeAnswer(a(405, 'Only POST is supported\n'), 405, 'Only POST is supported'), undefined);
    assert.match(judgeAnswer(a(404, 'nope'), 405, 'Only POST is supported') ?? '', /expected the request to be answered 405 "Only POST is supported"; the grant service answered 404 "nope"/);
    assert.equal(judgeRefused(a(404)), undefined);
    assert.equal(judgeRefused(a(undefined, undefined, 'reset')), undefined);
    assert.match(judgeRefused(a(200)) ?? '', /expected the request to be refused .* answered 200/);
  });

  test('at most k, and exactly k', () => {
    const ok = [a(200), a(404, 'No such access granted\n'), a(404, 'No such access granted\n')];
    assert.equal(judgeAtMost([round(1, ok)]), undefined);
    assert.equal(judgeExactly([round(1, ok)], 404, 'No such access granted'), undefined);
    assert.match(judgeAtMost([round(1, [a(200), a(200), a(404)])]) ?? '', /1 of 1 rounds served more: grant "g" \(k = 1\) answered 2 × 200/);
    // fewer than k, or another refusal: at most k holds, exactly k does not
    const lost = [a(200), a(503, 'Internal error\n'), a(404, 'No such access granted\n')];
    assert.equal(judgeAtMost([round(2, lost)]), undefined);
    assert.match(judgeExactly([round(2, lost)], 404, 'No such access granted') ?? '', /1 × 503 "Internal error"/);
  });

  test('waitForCount: comes to the count, fails at once above the limit, and at the deadline with the last count', async () => {
    let n = 0;
    assert.equal(await waitForCount(async () => ++n, { atLeast: 3, atMost: 5, timeoutMs: 1000 }), 3);
    await assert.rejects(waitForCount(async () => 7, { atLeast: 3, atMost: 5, timeoutMs: 60_000 }), (e: Error) => e instanceof CountError && /shows 7, more than 5/.test(e.message));
    await assert.rejects(waitForCount(async () => undefined, { atLeast: 1, atMost: 1, timeoutMs: 50 }), /to come to 1 within 50 ms; the grant service still shows 0/);
  });

  test('the expiration time: about the window after processing, in RFC 3339', () => {
    const from = Date.parse('2030-01-01T00:00:00.400Z');
    const to = from + 200;
    const window = 15 * 60_000;
    assert.equal(judgeExpirationTime('2030-01-01T00:15:00Z', window, from, to, 30_000), undefined);
    assert.match(judgeExpirationTime('2030-01-01T00:10:00Z', window, from, to, 30_000) ?? '', /about 15 minutes .* wrote 2030-01-01T00:10:00Z, 10 minutes after/);
    assert.match(judgeExpirationTime(undefined, window, from, to, 30_000) ?? '', /the status has none/);
    assert.match(judgeExpirationTime('soon', window, from, to, 30_000) ?? '', /RFC 3339/);
    assert.equal(describeDuration(9_000_000), '2 hours 30 minutes');
    assert.equal(describeDuration(0), '0 seconds');
  });

  test('sampleWhile samples during the task and once after', async () => {
    let value = 0;
    const task = new Promise<string>((r) => setTimeout(() => { value = 9; r('done'); }, 40));
    const { result, samples } = await sampleWhile(task, async () => value, 5);
    assert.equal(result, 'done');
    assert.ok(samples.length >= 3);
    assert.equal(samples.at(-1), 9);
  });
});

