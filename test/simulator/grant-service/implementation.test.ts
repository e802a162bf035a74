// The reference grant service (`--side grant-service --impl reference`) and the seams a broken grant
// service changes one at a time: the registry's decision, the endpoint (TLS minimum version, plain HTTP,
// certificate), the defaults, and the steps of processing (protected methods of ReferenceGrantService).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import type { IssuingSite } from '../../../adapters/contract.ts';
import { SKUPPER_API_VERSION, type AccessGrant, type AccessGrantSpec } from '../../../model/resources.ts';
import { DOCUMENTED_DEFAULTS, ReferenceGrantService } from '../../../simulator/grant-service/implementation.ts';
import { CHECK_ORDER, Grant, GrantRegistry, type GrantRequest } from '../../../simulator/grant-service/registry.ts';
import { httpError, type GrantAnswer } from '../../../simulator/grant-service/wire.ts';
import { postCode } from '../../../simulator/redeemer/client.ts';
import { httpsRequest, parseRedemption } from '../support.ts';

const site: IssuingSite = {
  name: 'issuing',
  namespace: 'issuing-ns',
  uid: '5d1c0a9e-0000-4000-8000-000000000001',
  endpoints: [
    { name: 'inter-router', host: 'ir.issuing.example.test', port: '55671', group: 'g1' },
    { name: 'edge', host: 'edge.issuing.example.test', port: '45671', group: 'g1' },
  ],
};

const started: ReferenceGrantService[] = [];
async function start(...args: Parameters<typeof ReferenceGrantService.start>): Promise<ReferenceGrantService> {
  const s = await ReferenceGrantService.start(...args);
  started.push(s);
  return s;
}
after(async () => {
  await Promise.all(started.map((s) => s.close()));
});

function grant(name: string, spec: AccessGrantSpec = {}): AccessGrant {
  return { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name, namespace: site.namespace }, spec };
}

async function issued(service: ReferenceGrantService, name: string, spec: AccessGrantSpec = {}): Promise<AccessGrant> {
  await service.applyGrant(grant(name, spec), site);
  const found = (await service.observe(site)).accessGrants.find((g) => g.metadata.name === name);
  assert.ok(found, `${name} is observed`);
  return found;
}

function redeem(g: AccessGrant, code = g.status!.code!) {
  return postCode({ url: new URL(g.status!.url!), code, ca: g.status!.ca!, headers: { name: 'tok', subject: 'site-uid' } });
}

describe('the reference grant service', () => {
  test('issues a grant: url, code, ca, the documented defaults and Ready conditions; redeems it once', async () => {
    const service = await start();
    const before = Date.now();
    const g = await issued(service, 'plain');
    assert.equal(service.name, 'reference');
    assert.equal(g.spec.redemptionsAllowed, 1);
    assert.equal(g.status?.url, `${service.service.url}/${g.metadata.uid}`);
    assert.match(g.status?.code ?? '', /^[A-Za-z0-9]{24}$/);
    assert.equal(g.status?.ca, service.service.pki.ca.certPem);
    const window = Date.parse(g.status!.expirationTime!) - before;
    assert.ok(Math.abs(window - DOCUMENTED_DEFAULTS.expirationWindowMs) < 2_000, `${window} ms`);
    assert.deepEqual(g.status?.conditions?.map((c) => `${c.type}=${c.status}`).sort(), ['Processed=True', 'Ready=True', 'Resolved=True']);
    assert.equal(g.status?.status, 'Ready');
    assert.equal((await redeem(g)).status, 200);
    assert.equal((await redeem(g)).status, 404);
    assert.equal((await service.observe(site)).accessGrants[0].status?.redemptions, 1);
  });

  test('an invalid expirationWindow is an Error naming the value; a deleted grant is gone', async () => {
    const service = await start();
    const bad = await issued(service, 'mistimed', { expirationWindow: 'soon' });
    assert.equal(bad.status?.status, 'Error');
    assert.match(bad.status?.message ?? '', /"soon"/);
    const g = await issued(service, 'withdrawn');
    await service.deleteGrant('withdrawn', site);
    assert.equal((await service.observe(site)).accessGrants.some((x) => x.metadata.name === 'withdrawn'), false);
    const answer = await redeem(g);
    assert.equal(answer.status, 404);
    assert.equal(answer.body, 'No such claim\n');
  });

  test('defaults are a seam: a 10-minute window, a limit of 3', async () => {
    const service = await start({ defaults: { expirationWindowMs: 10 * 60_000, redemptionsAllowed: 3 } });
    const before = Date.now();
    const g = await issued(service, 'plain');
    assert.equal(g.spec.redemptionsAllowed, 3);
    assert.ok(Math.abs(Date.parse(g.status!.expirationTime!) - before - 10 * 60_000) < 2_000);
  });

  test('a subclass started with start() is itself, under its own name, with one step changed', async () => {
    class TrailingSlash extends ReferenceGrantService {
      protected override statusUrl(record: Grant): string {
        return `${super.statusUrl(record)}/`;
      }
    }
    const service = await TrailingSlash.start({ name: 'trailing-slash' });
    started.push(service);
    assert.ok(service instanceof TrailingSlash);
    assert.equal(service.name, 'trailing-slash');
    const g = await issued(service, 'slashed');
    assert.ok(g.status?.url?.endsWith(`${g.metadata.uid}/`));
    assert.equal((await redeem(g)).status, 200, 'the server resolves the URL with a trailing slash too');
  });
});

describe('the seams of the HTTPS endpoint and the registry', () => {
  test('the reference refuses TLS 1.2 and plain HTTP; minVersion and plainHttpToo change exactly that', async () => {
    const reference = await start();
    const loose = await start({ endpoint: { minVersion: 'TLSv1.2', plainHttpToo: true } });
    const strict = await issued(reference, 'strict', { redemptionsAllowed: 5 });
    const open = await issued(loose, 'open', { redemptionsAllowed: 5 });
    const tls12 = (g: AccessGrant) => httpsRequest(g.status!.url!, { body: g.status!.code!, ca: g.status!.ca!, maxVersion: 'TLSv1.2' });
    await assert.rejects(tls12(strict));
    const answered = await tls12(open);
    assert.equal(answered.status, 200);
    assert.equal(answered.tlsVersion, 'TLSv1.2');
    const plain = (g: AccessGrant) => plainPost(g.status!.url!.replace(/^https:/, 'http:'), g.status!.code!);
    await assert.rejects(plain(strict));
    assert.equal(await plain(open), 200);
    assert.equal((await redeem(open)).status, 200, 'TLS 1.3 still served beside them');
  });

  test('the certificate is a seam', async () => {
    const service = await start({ endpoint: { certificate: (pki) => pki.wrongHostServer } });
    const g = await issued(service, 'wrong-host');
    await assert.rejects(redeem(g), /host|altname|Hostname/i);
  });

  test('the check order is a seam: checking the code first answers 403 on a used-up grant', async () => {
    class CodeFirst extends GrantRegistry {
      protected override readonly checkOrder = ['corrupted', 'expired', 'code', 'exhausted'] as const;
    }
    const service = await start({ registry: (pki) => new CodeFirst(pki) });
    const g = await issued(service, 'used-up');
    assert.equal((await redeem(g)).status, 200);
    assert.equal((await redeem(g, 'x'.repeat(24))).status, 403);
    assert.deepEqual([...CHECK_ORDER], ['corrupted', 'expired', 'exhausted', 'code'], "the reference's order");
  });

  test('the service awaits the registry: an await between the check and the count loses the limit, the reference never does', async () => {
    class Racy extends GrantRegistry {
      override async answer(request: GrantRequest): Promise<GrantAnswer> {
        const found = this.lookup(request);
        if (!(found instanceof Grant)) return found;
        const refusal = this.refusal(found, request);
        if (refusal) return refusal;
        await new Promise((r) => setTimeout(r, 300)); // long enough for every request of the burst to arrive
        this.count(found);
        return this.redemption(found, request);
      }
    }
    const racy = await start({ registry: (pki) => new Racy(pki) });
    const reference = await start();
    const burst = async (service: ReferenceGrantService) => {
      const g = await issued(service, 'burst');
      const answers = await Promise.all(Array.from({ length: 10 }, () => redeem(g)));
      return answers.filter((a) => a.status === 200).length;
    };
    assert.equal(await burst(reference), 1);
    assert.ok((await burst(racy)) > 1);
  });

  test('the documents are a seam', async () => {
    class Renamed extends GrantRegistry {
      protected override documents(g: Grant, name: string, subject: string) {
        const [secret, ...links] = super.documents(g, name, subject);
        return [{ ...secret, type: 'Opaque' }, ...links] as ReturnType<GrantRegistry['documents']>;
      }
      protected override check(check: (typeof CHECK_ORDER)[number], g: Grant, request: GrantRequest): GrantAnswer | undefined {
        const refused = super.check(check, g, request);
        return check === 'code' && refused ? httpError(401, 'Unauthorized', g.uid) : refused;
      }
    }
    const service = await start({ registry: (pki) => new Renamed(pki) });
    const g = await issued(service, 'opaque', { redemptionsAllowed: 2 });
    assert.equal((await redeem(g, 'nope')).status, 401);
    const answer = await redeem(g);
    assert.equal(answer.status, 200);
    assert.equal(parseRedemption(answer.body).secret.type, 'Opaque');
  });
});

/** A POST in the clear; rejects when the connection is closed without an HTTP answer. */
function plainPost(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}
