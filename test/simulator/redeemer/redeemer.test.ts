// The reference redeemer (Skupper's Kubernetes controller path, spec §3.1) against the grant service.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReferenceImplementation } from '../../../simulator/redeemer/implementation.ts';
import { rfc3339Seconds } from '../../../model/text.ts';
import { GrantService } from '../../../simulator/grant-service/service.ts';
import { InMemoryStore } from '../../../simulator/redeemer/memory-store.ts';
import { goQuote } from '../../../simulator/redeemer/go-wording.ts';
import { goUrlString, parseGoUrl } from '../../../simulator/redeemer/go-url.ts';
import { statusText } from '../../../simulator/go-http.ts';
import type { Site } from '../../../adapters/contract.ts';
import { ReferenceRedeemer, type ReferenceRedeemerOptions } from '../../../simulator/redeemer/redeemer.ts';
import { decodeRedemptionResponse, splitJsonStream, splitYamlStream } from '../../../simulator/redeemer/decode.ts';
import { DELETED_SITE_MESSAGE, findCondition, isRedeemed } from '../../../model/conditions.ts';
import { SKUPPER_API_VERSION, toYamlStream, validateAccessToken, type AccessToken, type Link, type Secret } from '../../../model/resources.ts';
import { cn, secretCertificate , useGrantService } from '../support.ts';

let service: GrantService;

useGrantService((s) => (service = s));

let sites = 0;
function freshSite(): Site {
  sites += 1;
  return { name: `site-${sites}`, namespace: `ns-${sites}`, uid: `0000-site-uid-${sites}` };
}

/** One redeeming site: a store with its Site, a redeemer, and the controller's two triggers. */
function setup(options: ReferenceRedeemerOptions = {}) {
  const store = new InMemoryStore();
  const site = freshSite();
  store.setSite(site);
  const redeemer = new ReferenceRedeemer(store, options);
  return {
    store,
    site,
    redeemer,
    /** Creates (or re-applies) the token and runs the handler once, as its creation event would. */
    async apply(token: AccessToken): Promise<AccessToken> {
      const stored = store.applyAccessToken(site.namespace, token);
      await redeemer.checkAccessToken(stored);
      return this.token(token.metadata.name);
    },
    /** Runs the handler for every token of the namespace, as an informer resync does. */
    async resync(): Promise<void> {
      for (const t of await store.listAccessTokens(site.namespace)) await redeemer.checkAccessToken(t);
    },
    token(name: string): AccessToken {
      const t = store.getAccessToken(site.namespace, name);
      assert.ok(t, `token ${name} exists`);
      return t;
    },
    secrets: () => store.listSecrets(site.namespace),
    links: () => store.listLinks(site.namespace),
  };
}

function assertError(token: AccessToken, message: string | RegExp): void {
  assert.equal(token.status?.status, 'Error');
  if (typeof message === 'string') assert.equal(token.status?.message, message);
  else assert.match(token.status?.message ?? '', message);
  const condition = findCondition(token, 'Redeemed');
  assert.equal(condition?.status, 'False');
  assert.equal(condition?.reason, 'Error');
  assert.equal(condition?.message, token.status?.message);
  assert.equal(token.status?.redeemed, undefined);
  assert.equal(isRedeemed(token), false);
}

function assertRedeemed(token: AccessToken): void {
  assert.deepEqual(
    { status: token.status?.status, message: token.status?.message, redeemed: token.status?.redeemed },
    { status: 'Ready', message: 'OK', redeemed: true },
  );
  const condition = findCondition(token, 'Redeemed');
  assert.deepEqual([condition?.status, condition?.reason, condition?.message], ['True', 'Ready', 'OK']);
  assert.equal(isRedeemed(token), true);
}

function tokenFor(grant: ReturnType<GrantService['createGrant']>, name: string, spec: Partial<AccessToken['spec']> = {}): AccessToken {
  return grant.accessToken(name, spec);
}

describe('preconditions, in order, before anything is sent', () => {
  test('refuses a token without a CA: token does not have a CA', async () => {
    const s = setup();
    const grant = service.createGrant();
    assertError(await s.apply(tokenFor(grant, 'tok', { ca: '' })), 'token does not have a CA');
    assert.deepEqual(service.requests(), []);
  });

  test('checks the CA before the URL', async () => {
    const s = setup();
    assertError(await s.apply(tokenFor(service.createGrant(), 'tok', { ca: '', url: 'foo://a:b' })), 'token does not have a CA');
  });

  test('refuses a URL that does not parse: could not parse token url: <Go parse error>', async () => {
    const s = setup();
    const token = await s.apply(tokenFor(service.createGrant(), 'tok', { url: 'foo://a:b' }));
    assertError(token, 'could not parse token url: parse "foo://a:b": invalid port ":b" after host');
    assert.deepEqual(service.requests(), []);
  });

  test('reports the parse error before the scheme', async () => {
    const s = setup();
    assertError(await s.apply(tokenFor(service.createGrant(), 'tok', { url: 'http://[::1' })), `could not parse token url: parse "http://[::1": missing ']' in host`);
  });

  test('words parse errors as Go does', async () => {
    const s = setup();
    const cases: Array<[string, string]> = [
      ['127.0.0.1:9090/uid', 'parse "127.0.0.1:9090/uid": first path segment in URL cannot contain colon'],
      ['https://grants.example test/uid', 'parse "https://grants.example test/uid": invalid character " " in host name'],
      ['https://127.0.0.1:9090/%zz', 'parse "https://127.0.0.1:9090/%zz": invalid URL escape "%zz"'],
      ['https://127.0.0.1:9090/uid\n', 'parse "https://127.0.0.1:9090/uid\\n": net/url: invalid control character in URL'],
      [':9090/uid', 'parse ":9090/uid": missing protocol scheme'],
    ];
    for (const [i, [url, message]] of cases.entries()) {
      assertError(await s.apply(tokenFor(service.createGrant(), `tok-${i}`, { url })), `could not parse token url: ${message}`);
    }
    assert.deepEqual(service.requests(), []);
  });

  test('refuses any scheme but https: token url scheme must be https', async () => {
    const s = setup();
    const grant = service.createGrant();
    const urls = [await grant.urlOn('plain-http'), grant.url.replace('https:', 'ftp:'), '', 'grants.example.test/uid', 'localhost:9090/uid'];
    for (const [i, url] of urls.entries()) {
      assertError(await s.apply(tokenFor(grant, `tok-${i}`, { url })), 'token url scheme must be https');
    }
    assert.deepEqual(service.requests(), []);
    assert.equal(grant.redemptions, 0);
  });

  test('takes the scheme case-insensitively, as Go lower-cases it', async () => {
    const s = setup();
    const grant = service.createGrant();
    assertRedeemed(await s.apply(tokenFor(grant, 'tok', { url: grant.url.replace('https:', 'HTTPS:') })));
  });

  test('fails a parsed https URL without a host as the transport does: http: no Host in request URL', async () => {
    const s = setup();
    assertError(await s.apply(tokenFor(service.createGrant(), 'a', { url: 'https:///uid' })), 'Controller got error: Post "https:///uid": http: no Host in request URL');
    assertError(await s.apply(tokenFor(service.createGrant(), 'b', { url: 'https:uid' })), 'Controller got error: Post "https:uid": http: no Host in request URL');
    assert.deepEqual(service.requests(), []);
  });
});

describe('a successful redemption', () => {
  test('creates the Secret, then the Link, in the site namespace, and marks the token redeemed', async () => {
    const s = setup();
    const grant = service.createGrant();
    const token = await s.apply(tokenFor(grant, 'tok'));
    assertRedeemed(token);
    const [secret] = s.secrets();
    const [link] = s.links();
    assert.equal(s.secrets().length, 1);
    assert.equal(s.links().length, 1);
    assert.deepEqual([secret.metadata.name, secret.metadata.namespace, secret.type], ['tok', s.site.namespace, 'kubernetes.io/tls']);
    assert.deepEqual([link.metadata.name, link.metadata.namespace, link.spec.tlsCredentials], ['tok', s.site.namespace, 'tok']);
    assert.ok(Number(secret.metadata.resourceVersion) < Number(link.metadata.resourceVersion), 'the Secret is created first');
    assert.equal(grant.redemptions, 1);
  });

  test('sets exactly one owner reference, to the Site, on the Secret and every Link', async () => {
    const s = setup();
    const grant = service.createGrant({
      endpoints: [
        { name: 'inter-router', host: 'a.example.test', port: '55671', group: 'a' },
        { name: 'inter-router', host: 'b.example.test', port: '55671', group: 'b' },
      ],
    });
    assertRedeemed(await s.apply(tokenFor(grant, 'tok')));
    const expected = [{ kind: 'Site', apiVersion: SKUPPER_API_VERSION, name: s.site.name, uid: s.site.uid }];
    assert.deepEqual(s.secrets()[0].metadata.ownerReferences, expected);
    assert.deepEqual(s.links().map((l) => l.metadata.name).sort(), ['tok-1', 'tok-2']);
    for (const link of s.links()) assert.deepEqual(link.metadata.ownerReferences, expected);
  });

  test('sends the token name as header name and the site UID as header subject, and the code as body', async () => {
    const s = setup();
    const grant = service.createGrant();
    await s.apply(tokenFor(grant, 'my-token'));
    const [r] = service.requests();
    assert.equal(r.method, 'POST');
    assert.equal(r.headers.name, 'my-token');
    assert.equal(r.headers.subject, s.site.uid);
    assert.equal(r.body, grant.code);
    assert.equal(r.tlsVersion, 'TLSv1.3');
    assert.equal(cn(secretCertificate(s.secrets()[0])), s.site.uid);
  });

  test('applies a linkCost above 0 to every Link', async () => {
    const s = setup();
    const grant = service.createGrant({
      endpoints: [
        { name: 'inter-router', host: 'a.example.test', port: '55671', group: 'a' },
        { name: 'edge', host: 'b.example.test', port: '45671', group: 'b' },
      ],
    });
    assertRedeemed(await s.apply(tokenFor(grant, 'tok', { linkCost: 7 })));
    assert.deepEqual(s.links().map((l) => l.spec.cost), [7, 7]);
  });

  for (const linkCost of [0, -3, undefined]) {
    test(`leaves the Link cost unset for linkCost ${linkCost}`, async () => {
      const s = setup();
      const grant = service.createGrant();
      assertRedeemed(await s.apply(tokenFor(grant, 'tok', linkCost === undefined ? {} : { linkCost })));
      assert.equal(s.links()[0].spec.cost, undefined);
      assert.ok(!('cost' in s.links()[0].spec));
    });
  }

  test('ignores the token settings', async () => {
    const s = setup();
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok', { settings: { cost: '9' } })));
    assert.equal(s.links()[0].spec.settings, undefined);
  });

  test('leaves a token status that validates against the CRD', async () => {
    const s = setup();
    const token = await s.apply(tokenFor(service.createGrant(), 'tok'));
    assert.deepEqual(validateAccessToken(token), []);
  });
});

describe('failed answers and transport errors', () => {
  test('reports a non-200 answer as Controller got failed response: 404 (Not Found) No such claim', async () => {
    const s = setup();
    const grant = service.createGrant().delete();
    assertError(await s.apply(tokenFor(grant, 'tok')), 'Controller got failed response: 404 (Not Found) No such claim');
    assert.deepEqual(s.secrets(), []);
    assert.deepEqual(s.links(), []);
  });

  test('reports each refusal of the grant service with its status text and trimmed body', async () => {
    const s = setup();
    const cases: Array<[ReturnType<GrantService['createGrant']>, string]> = [
      [service.createGrant().exhaust(), '404 (Not Found) No such access granted'],
      [service.createGrant().expire(), '404 (Not Found) No such claim'],
      [service.createGrant().corrupt(), '500 (Internal Server Error) Corrupted claim'],
    ];
    for (const [i, [grant, message]] of cases.entries()) {
      assertError(await s.apply(tokenFor(grant, `tok-${i}`)), `Controller got failed response: ${message}`);
    }
    assertError(await s.apply(tokenFor(service.createGrant(), 'wrong', { code: 'nope' })), 'Controller got failed response: 403 (Forbidden) Redemption of access token refused');
  });

  test("uses Go's status texts: 418 (I'm a teapot), 413 (Request Entity Too Large)", async () => {
    const s = setup();
    service.failWith(418, '  short and stout  ', 1);
    assertError(await s.apply(tokenFor(service.createGrant(), 'a')), "Controller got failed response: 418 (I'm a teapot) short and stout");
    service.failWith(413, 'too big', 1);
    assertError(await s.apply(tokenFor(service.createGrant(), 'b')), 'Controller got failed response: 413 (Request Entity Too Large) too big');
    service.failWith(599, 'odd', 1);
    assertError(await s.apply(tokenFor(service.createGrant(), 'c')), 'Controller got failed response: 599 () odd');
    assert.equal(statusText(509), '');
  });

  test('reports a refused connection as Controller got error: …', async () => {
    const s = setup();
    const gone = await GrantService.start();
    const grant = gone.createGrant();
    await gone.stop();
    assertError(await s.apply(tokenFor(grant, 'tok')), `Controller got error: Post "${grant.url}": dial tcp: connect: connection refused`);
  });

  test('reports a reset connection as Controller got error: … connection reset by peer', async () => {
    const s = setup();
    const grant = service.createGrant();
    service.resetConnection(1);
    assertError(await s.apply(tokenFor(grant, 'tok')), `Controller got error: Post "${grant.url}": read: connection reset by peer`);
  });

  test('gives up when no answer comes within the timeout', async () => {
    const s = setup({ timeoutMs: 300 });
    const grant = service.createGrant();
    service.neverAnswer();
    const token = await s.apply(tokenFor(grant, 'tok'));
    assertError(token, `Controller got error: Post "${grant.url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    assert.deepEqual(s.secrets(), []);
  });

  test('ends a redemption in flight with context canceled when aborted', { timeout: 10_000 }, async () => {
    const s = setup();
    const grant = service.createGrant();
    service.neverAnswer();
    const answered = new Promise<void>((resolve) => {
      const off = service.onRequestAnswered(() => {
        off();
        resolve();
      });
    });
    const pending = s.apply(tokenFor(grant, 'tok'));
    await answered;
    s.redeemer.abortAll();
    assertError(await pending, `Controller got error: Post "${grant.url}": context canceled`);
  });

  test('does not follow a redirect: 307 is a failed response and nothing reaches the target', async () => {
    const s = setup();
    const grant = service.createGrant();
    const target = service.createGrant();
    service.redirectTo(target.url);
    const token = await s.apply(tokenFor(grant, 'tok'));
    assertError(token, /^Controller got failed response: 307 \(Temporary Redirect\) /);
    assert.match(token.status?.message ?? '', new RegExp(target.uid));
    assert.equal(service.requests().length, 1);
    assert.deepEqual(target.requests(), []);
    assert.equal(target.redemptions, 0);
  });
});

describe('decoding the answer', () => {
  test('answers an empty body with Controller could not decode response', async () => {
    const s = setup();
    const grant = service.createGrant();
    service.respondWithBody('');
    assertError(await s.apply(tokenFor(grant, 'tok')), 'Controller could not decode response');
    assert.deepEqual(s.secrets(), []);
    assert.equal(grant.redemptions, 1);
  });

  test('answers malformed YAML in the Secret document with Controller could not decode response', async () => {
    const s = setup();
    service.respondWithBody('---\nkind: [Secret\n', 1);
    assertError(await s.apply(tokenFor(service.createGrant(), 'a')), 'Controller could not decode response');
    service.respondWithBody('---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\ndata: {tls.crt: "not base64!"}\n', 1);
    assertError(await s.apply(tokenFor(service.createGrant(), 'b')), 'Controller could not decode response');
    assert.deepEqual(s.secrets(), []);
  });

  test('keeps the Links before a broken document and succeeds', async () => {
    const s = setup();
    service.appendToResponse('---\nkind: Link\nspec: {endpoints: [\n');
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok')));
    assert.deepEqual(s.links().map((l) => l.metadata.name), ['tok']);
  });

  test('drops everything after the first broken document, good Links included', async () => {
    const s = setup();
    const link = (name: string): Link => ({ apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name }, spec: { endpoints: [], tlsCredentials: 'tok' } });
    const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok' }, type: 'kubernetes.io/tls', data: {} };
    service.respondWithBody(`${toYamlStream([secret, link('first')])}---\n: : :\n  - [\n${toYamlStream([link('after')])}`);
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok')));
    assert.deepEqual(s.links().map((l) => l.metadata.name), ['first']);
  });

  test('creates extra Links that follow the good one', async () => {
    const s = setup();
    service.appendToResponse(`---\napiVersion: ${SKUPPER_API_VERSION}\nkind: Link\nmetadata:\n  name: extra\nspec:\n  endpoints: []\n`);
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok')));
    assert.deepEqual(s.links().map((l) => l.metadata.name), ['tok', 'extra']);
  });

  test('succeeds with a Secret alone and creates no Link', async () => {
    const s = setup();
    service.respondWithSecretOnly();
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok')));
    assert.equal(s.secrets().length, 1);
    assert.deepEqual(s.links(), []);
  });

  test('reads a body that starts with { as a JSON stream of values without separators', async () => {
    const s = setup();
    const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok' }, type: 'kubernetes.io/tls', data: { 'ca.crt': 'YQ==' } };
    const link = (name: string): Link => ({ apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name }, spec: { endpoints: [], tlsCredentials: 'tok' } });
    service.respondWithBody(`  ${JSON.stringify(secret)}\n${JSON.stringify(link('j1'))}${JSON.stringify(link('j2'))} {"kind": "Link", `);
    assertRedeemed(await s.apply(tokenFor(service.createGrant(), 'tok')));
    assert.deepEqual(s.links().map((l) => l.metadata.name), ['j1', 'j2']);
    assert.deepEqual(splitJsonStream('{"a": "}{"} [1, {"b": 2}] 12 {"c": '), ['{"a": "}{"}', '[1, {"b": 2}]', '12', '{"c": ']);
  });

  test('splits streams on --- lines only and reads JSON documents', () => {
    assert.deepEqual(splitYamlStream('---\na: 1\n---   \nb: "---"\n---\n\n'), ['a: 1', 'b: "---"']);
    const decoded = decodeRedemptionResponse('---\n{"kind": "Secret", "metadata": {"name": "j"}, "data": {"a": "YQ=="}}\n---\n{"kind": "Link", "metadata": {"name": "l"}}\n');
    assert.equal(decoded.secret.metadata.name, 'j');
    assert.deepEqual(decoded.links.map((l) => l.metadata.name), ['l']);
  });
});

describe('name collisions', () => {
  test('fails with Controller could not create received secret: secrets "x" already exists, and creates no Link', async () => {
    const s = setup();
    await s.store.createSecret(s.site.namespace, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
    const grant = service.createGrant();
    assertError(await s.apply(tokenFor(grant, 'x')), 'Controller could not create received secret: secrets "x" already exists');
    assert.deepEqual(s.links(), []);
    assert.equal(grant.redemptions, 1);
  });

  test('fails with Controller could not create received link: links.skupper.io "x" already exists, keeping the Secret', async () => {
    const s = setup();
    await s.store.createLink(s.site.namespace, { apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name: 'x' }, spec: { endpoints: [] } });
    assertError(await s.apply(tokenFor(service.createGrant(), 'x')), 'Controller could not create received link: links.skupper.io "x" already exists');
    assert.deepEqual(s.secrets().map((x) => x.metadata.name), ['x']);
  });

  test('stops at the first Link that collides, keeping the Links created before it (no rollback)', async () => {
    const s = setup();
    await s.store.createLink(s.site.namespace, { apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name: 'x-2' }, spec: { endpoints: [] } });
    const grant = service.createGrant({
      endpoints: [
        { name: 'inter-router', host: 'a.example.test', port: '55671', group: 'a' },
        { name: 'inter-router', host: 'b.example.test', port: '55671', group: 'b' },
        { name: 'inter-router', host: 'c.example.test', port: '55671', group: 'c' },
      ],
    });
    assertError(await s.apply(tokenFor(grant, 'x')), 'Controller could not create received link: links.skupper.io "x-2" already exists');
    assert.deepEqual(s.links().map((l) => [l.metadata.name, l.spec.endpoints[0]?.host]), [['x-2', undefined], ['x-1', 'a.example.test']]);
    assert.equal(s.secrets().length, 1);
  });

  test('retries a partial failure with a new POST, which finds the grant used up', async () => {
    const s = setup();
    await s.store.createLink(s.site.namespace, { apiVersion: SKUPPER_API_VERSION, kind: 'Link', metadata: { name: 'x' }, spec: { endpoints: [] } });
    const grant = service.createGrant();
    await s.apply(tokenFor(grant, 'x'));
    await s.resync();
    assertError(s.token('x'), 'Controller got failed response: 404 (Not Found) No such access granted');
    assert.equal(grant.requests().length, 2);
  });
});

describe('the Redeemed condition (SetRedeemed)', () => {
  test('records a failure: False, Error, the message, mirrored in status, observedGeneration = generation', async () => {
    const t0 = new Date('2030-01-01T00:00:00.250Z');
    const s = setup({ now: () => t0 });
    const token = await s.apply(tokenFor(service.createGrant(), 'tok', { code: 'wrong' }));
    assert.deepEqual(token.status, {
      conditions: [
        {
          type: 'Redeemed',
          status: 'False',
          reason: 'Error',
          message: 'Controller got failed response: 403 (Forbidden) Redemption of access token refused',
          observedGeneration: 1,
          lastTransitionTime: '2030-01-01T00:00:00Z',
        },
      ],
      status: 'Error',
      message: 'Controller got failed response: 403 (Forbidden) Redemption of access token refused',
    });
  });

  test('records a success: True, Ready, OK, redeemed true', async () => {
    const s = setup({ now: () => new Date('2030-01-01T00:00:00Z') });
    const token = await s.apply(tokenFor(service.createGrant(), 'tok'));
    assert.deepEqual(token.status, {
      conditions: [{ type: 'Redeemed', status: 'True', reason: 'Ready', message: 'OK', observedGeneration: 1, lastTransitionTime: '2030-01-01T00:00:00Z' }],
      status: 'Ready',
      message: 'OK',
      redeemed: true,
    });
  });

  test('keeps lastTransitionTime when only the message changes, and moves it when the status flips', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const s = setup({ now: () => now });
    const grant = service.createGrant();
    service.failWith(503, 'first', 1);
    await s.apply(tokenFor(grant, 'tok'));
    assert.equal(findCondition(s.token('tok'), 'Redeemed')?.lastTransitionTime, '2030-01-01T00:00:00Z');

    now = new Date('2030-01-01T00:05:00Z');
    service.failWith(503, 'second', 1);
    await s.resync();
    const second = findCondition(s.token('tok'), 'Redeemed');
    assert.equal(second?.message, 'Controller got failed response: 503 (Service Unavailable) second');
    assert.equal(second?.lastTransitionTime, '2030-01-01T00:00:00Z');

    now = new Date('2030-01-01T00:10:00Z');
    await s.resync();
    assertRedeemed(s.token('tok'));
    assert.equal(findCondition(s.token('tok'), 'Redeemed')?.lastTransitionTime, '2030-01-01T00:10:00Z');
  });

  test('does not write the status again when an attempt ends with the same message', async () => {
    const s = setup();
    const grant = service.createGrant().delete();
    await s.apply(tokenFor(grant, 'tok'));
    const before = s.token('tok');
    await s.resync();
    const after = s.token('tok');
    assert.equal(grant.requests().length, 2, 'the second attempt was made');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(after.status, before.status);
  });

  test('follows metadata.generation in observedGeneration when the spec is edited', async () => {
    const s = setup();
    await s.apply(tokenFor(service.createGrant(), 'tok', { code: 'wrong' }));
    assert.equal(findCondition(s.token('tok'), 'Redeemed')?.observedGeneration, 1);
    const grant = service.createGrant();
    const token = await s.apply(tokenFor(grant, 'tok'));
    assert.equal(token.metadata.generation, 2);
    assertRedeemed(token);
    assert.equal(findCondition(token, 'Redeemed')?.observedGeneration, 2);
  });

  test('writes a timestamp at second precision', async () => {
    const s = setup({ now: () => new Date('2030-05-06T07:08:09.999Z') });
    const token = await s.apply(tokenFor(service.createGrant(), 'tok'));
    assert.equal(findCondition(token, 'Redeemed')?.lastTransitionTime, rfc3339Seconds(new Date('2030-05-06T07:08:09Z')));
  });
});

describe('when the controller looks again', () => {
  test('never submits a redeemed token again, on resync or when its spec is re-applied', async () => {
    const impl = new ReferenceImplementation();
    const site = freshSite();
    const grant = service.createGrant({ redemptionsAllowed: 5 });
    await impl.apply(tokenFor(grant, 'tok'), site);
    const [redeemed] = (await impl.observe(site)).accessTokens;
    assertRedeemed(redeemed);
    await impl.resync(site);
    await impl.apply(tokenFor(grant, 'tok', { linkCost: 4 }), site);
    await impl.resync(site);
    assert.equal(grant.requests().length, 1);
    assert.equal(grant.redemptions, 1);
    const [after] = (await impl.observe(site)).accessTokens;
    assert.equal(after.metadata.generation, 2);
    assert.deepEqual(after.status, redeemed.status);
    await impl.close();
  });

  test('tries an unredeemed token again on resync, until it is redeemed', async () => {
    const impl = new ReferenceImplementation();
    const site = freshSite();
    const grant = service.createGrant();
    service.failWith(503, 'Internal error', 1);
    await impl.apply(tokenFor(grant, 'tok'), site);
    assertError((await impl.observe(site)).accessTokens[0], 'Controller got failed response: 503 (Service Unavailable) Internal error');
    await impl.resync(site);
    assertRedeemed((await impl.observe(site)).accessTokens[0]);
    await impl.resync(site);
    assert.equal(grant.requests().length, 2);
    await impl.close();
  });

  test('does nothing for a deleted token', async () => {
    const s = setup();
    await s.redeemer.checkAccessToken(undefined);
    assert.deepEqual(service.requests(), []);
  });

  test('does nothing while the namespace has no site: no request, no status', async () => {
    const store = new InMemoryStore();
    const redeemer = new ReferenceRedeemer(store);
    const grant = service.createGrant();
    const stored = store.applyAccessToken('no-site', tokenFor(grant, 'tok'));
    await redeemer.checkAccessToken(stored);
    assert.equal(store.getAccessToken('no-site', 'tok')?.status, undefined);
    assert.deepEqual(service.requests(), []);
    // once a site exists, the next event redeems it
    store.setSite({ name: 'late', namespace: 'no-site', uid: 'late-uid' });
    await redeemer.checkAccessToken(store.getAccessToken('no-site', 'tok'));
    assertRedeemed(store.getAccessToken('no-site', 'tok')!);
  });
});

describe('site deletion', () => {
  test('marks redeemed tokens True, Error, Already redeemed for a deleted site, and leaves unredeemed ones alone', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const s = setup({ now: () => now });
    await s.apply(tokenFor(service.createGrant(), 'done'));
    await s.apply(tokenFor(service.createGrant(), 'failed', { code: 'wrong' }));
    const failedBefore = s.token('failed');
    now = new Date('2030-01-01T01:00:00Z');
    s.store.deleteSite(s.site.namespace);
    await s.redeemer.siteDeleted(s.site.namespace);

    const done = s.token('done');
    assert.deepEqual(
      { status: done.status?.status, message: done.status?.message, redeemed: done.status?.redeemed },
      { status: 'Error', message: DELETED_SITE_MESSAGE, redeemed: true },
    );
    const condition = findCondition(done, 'Redeemed');
    assert.deepEqual(
      [condition?.status, condition?.reason, condition?.message, condition?.lastTransitionTime],
      ['True', 'Error', 'Already redeemed for a deleted site', '2030-01-01T00:00:00Z'],
    );
    assert.deepEqual(s.token('failed'), failedBefore);
  });

  test('leaves the marked token alone for good: a re-created site does not redeem it again', async () => {
    const s = setup();
    const grant = service.createGrant({ redemptionsAllowed: 2 });
    await s.apply(tokenFor(grant, 'tok'));
    await s.redeemer.siteDeleted(s.site.namespace);
    s.store.setSite({ ...s.site, uid: 'new-site-uid' });
    await s.resync();
    assert.equal(grant.requests().length, 1);
    assert.equal(s.token('tok').status?.message, DELETED_SITE_MESSAGE);
  });

  test('works through the reference implementation', async () => {
    const impl = new ReferenceImplementation();
    const site = freshSite();
    await impl.apply(tokenFor(service.createGrant(), 'tok'), site);
    await impl.deleteSite(site);
    const [token] = (await impl.observe(site)).accessTokens;
    assert.equal(token.status?.message, DELETED_SITE_MESSAGE);
    assert.equal(isRedeemed(token), true);
    await impl.close();
  });
});

describe("a token's life after its redemption (the reference implementation)", () => {
  test('deleteToken removes the token and nothing else: the Secret and the Link are the Site\'s', async () => {
    const impl = new ReferenceImplementation();
    const site = freshSite();
    const grant = service.createGrant();
    await impl.apply(tokenFor(grant, 'tok'), site);
    await impl.deleteToken('tok', site);
    const observed = await impl.observe(site);
    assert.deepEqual(observed.accessTokens, []);
    assert.deepEqual([observed.secrets.map((x) => x.metadata.name), observed.links.map((l) => l.metadata.name)], [['tok'], ['tok']]);
    assert.equal(grant.requests().length, 1);
    await impl.deleteToken('tok', site); // gone already: nothing to do
    await impl.close();
  });

  test('redeems the same token name in two sites, applied at the same time, in each', async () => {
    const impl = new ReferenceImplementation();
    const [first, second] = [freshSite(), freshSite()];
    const grant = service.createGrant({ redemptionsAllowed: 2 });
    await Promise.all([impl.apply(tokenFor(grant, 'same'), first), impl.apply(tokenFor(grant, 'same'), second)]);
    for (const site of [first, second]) {
      const observed = await impl.observe(site);
      assert.equal(isRedeemed(observed.accessTokens[0]), true, site.namespace);
      assert.deepEqual(observed.links.map((l) => l.metadata.name), ['same']);
    }
    assert.deepEqual(grant.requests().map((r) => r.headers.subject).sort(), [first.uid, second.uid].sort());
    await impl.close();
  });

  test('submits nothing on resync after the site was deleted', async () => {
    const impl = new ReferenceImplementation();
    const site = freshSite();
    const grant = service.createGrant({ redemptionsAllowed: 2 });
    await impl.apply(tokenFor(grant, 'tok'), site);
    await impl.deleteSite(site);
    await impl.resync(site);
    assert.equal(grant.requests().length, 1);
    await impl.close();
  });
});

describe('Go URL parsing', () => {
  test('accepts what Go accepts and refuses what Go refuses, with Go\'s messages', () => {
    assert.equal(parseGoUrl('https://[fe80::1%25en0]:8080/x').host, '[fe80::1%25en0]:8080');
    assert.equal(parseGoUrl('https://user:pw@h.example.test:1/x?q=1').host, 'h.example.test:1');
    assert.throws(() => parseGoUrl('https://us er@h/x'), { name: 'GoUrlError', message: 'parse "https://us er@h/x": net/url: invalid userinfo' });
    assert.throws(() => parseGoUrl('https://h/x#%zz'), { message: 'parse "https://h/x#%zz": invalid URL escape "%zz"' });
    assert.throws(() => parseGoUrl('https://h:8o/x'), { message: 'parse "https://h:8o/x": invalid port ":8o" after host' });
    assert.throws(() => parseGoUrl('https://[::1]x/'), { message: 'parse "https://[::1]x/": invalid port "x" after host' });
    assert.throws(() => parseGoUrl('https://h\t/'), { message: 'parse "https://h\\t/": net/url: invalid control character in URL' });
    assert.equal(goQuote('a"b\\c\x07\x01'), '"a\\"b\\\\c\\a\\x01"');
  });

  test('reports a port Go parses but cannot dial as dial tcp: address …: invalid port', async () => {
    const s = setup();
    assertError(await s.apply(tokenFor(service.createGrant(), 'tok', { url: 'https://127.0.0.1:99999/uid' })), 'Controller got error: Post "https://127.0.0.1:99999/uid": dial tcp: address 99999: invalid port');
    assert.deepEqual(service.requests(), []);
  });

  test('prints URLs back as Go URL.String does', () => {
    for (const [raw, printed] of [
      ['https://127.0.0.1:9090/uid', 'https://127.0.0.1:9090/uid'],
      ['HTTPS://h/x?', 'https://h/x?'],
      ['https://', 'https:'],
      ['https:/x', 'https:/x'],
      ['https:opaque', 'https:opaque'],
    ]) {
      assert.equal(goUrlString(parseGoUrl(raw)), printed, raw);
    }
  });
});

describe('the token CA (acceptance)', () => {
  test('a token whose ca is an unrelated CA ends Redeemed False with a verification failure, and nothing is redeemed', async () => {
    const s = setup();
    const grant = service.createGrant();
    const token = await s.apply(tokenFor(grant, 'tok', { ca: service.pki.unrelatedCa.certPem }));
    assertError(token, /^Controller got error: Post ".*": .*verification failed/);
    assert.equal(findCondition(token, 'Redeemed')?.status, 'False');
    assert.equal(findCondition(token, 'Redeemed')?.reason, 'Error');
    assert.deepEqual(s.secrets(), []);
    assert.deepEqual(s.links(), []);
    assert.equal(grant.redemptions, 0);
    assert.deepEqual(grant.requests(), []);
    assert.deepEqual(service.requests(), []);
  });
});
