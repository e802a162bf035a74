// Judging what a grant service publishes in an AccessGrant's status (steps/judging/grant-issuance.ts):
// the reference's processed grants pass; a code that is not spec.code, codes alike or missing, a URL not of
// Skupper's form, conditions not True, an invalid window not reported — each is caught, in words, and no
// code is printed. Waiting for a status ends at the first good observation or at its deadline.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  judgeErrorStatus,
  judgeGeneratedCodes,
  judgeReadyConditions,
  judgeSpecCode,
  judgeUrlForm,
  waitForJudgement,
} from '../../../steps/judging/grant-issuance.ts';
import { setGrantConditions } from '../../../simulator/grant-service/implementation.ts';
import { SKUPPER_API_VERSION, type AccessGrant } from '../../../model/resources.ts';

const UID = '86b80f6b-2b02-47ac-bab4-d285bb4f7b9d';

function grant(status: AccessGrant['status'] = {}, uid = UID): AccessGrant {
  return { apiVersion: SKUPPER_API_VERSION, kind: 'AccessGrant', metadata: { name: 'g', namespace: 'ns', ...(uid ? { uid } : {}) }, spec: {}, status };
}

describe('AT-ISSUE-002: the code', () => {
  test('status.code must be the spec.code, and neither is printed', () => {
    assert.equal(judgeSpecCode(grant({ code: 'secret-spec-code' }), 'secret-spec-code'), undefined);
    const problem = judgeSpecCode(grant({ code: 'generated-instead' }), 'secret-spec-code') ?? '';
    assert.match(problem, /another code \(17 characters\)/);
    assert.doesNotMatch(problem, /secret-spec-code|generated-instead/);
    assert.match(judgeSpecCode(grant({}), 'secret-spec-code') ?? '', /it holds none/);
  });

  test('generated codes must exist and differ', () => {
    assert.equal(judgeGeneratedCodes([{ name: 'a', grant: grant({ code: 'one' }) }, { name: 'b', grant: grant({ code: 'two' }) }]), undefined);
    const same = judgeGeneratedCodes([{ name: 'a', grant: grant({ code: 'one' }) }, { name: 'b', grant: grant({ code: 'one' }) }]) ?? '';
    assert.match(same, /"b" has the same code as "a"/);
    assert.doesNotMatch(same, /one/);
    assert.match(judgeGeneratedCodes([{ name: 'a', grant: grant({}) }, { name: 'b', grant: undefined }]) ?? '', /"a" has no status\.code; "b" was not observed/);
  });
});

describe("AT-ISSUE-003: Skupper's URL form", () => {
  test('https://<host>/<uid> passes, with a port or an IPv6 host', () => {
    for (const url of [`https://127.0.0.1:9090/${UID}`, `https://grants.example.test/${UID}`, `https://[::1]:9090/${UID}`]) {
      assert.equal(judgeUrlForm(grant({ url })), undefined, url);
    }
  });

  test('another scheme, path, a query, or no uid is caught', () => {
    assert.match(judgeUrlForm(grant({ url: `http://h/${UID}` })) ?? '', /scheme is http/);
    assert.match(judgeUrlForm(grant({ url: `https://h/grants/${UID}` })) ?? '', /path is "\/grants\/86b8/);
    assert.match(judgeUrlForm(grant({ url: `https://h/${UID}?x=1` })) ?? '', /query or a fragment/);
    assert.match(judgeUrlForm(grant({ url: 'not a url' })) ?? '', /is not a URL/);
    assert.match(judgeUrlForm(grant({ url: 'https://h/x' }, '')) ?? '', /shows no metadata\.uid/);
  });
});

describe('AT-ISSUE-007 and -008: conditions and the Error status', () => {
  test("the reference's conditions of a processed grant pass; a pending one is caught", () => {
    const ready = grant({ url: `https://h/${UID}`, ca: 'CA', code: 'c' });
    setGrantConditions(ready.status!, undefined, 1, new Date());
    assert.equal(judgeReadyConditions(ready), undefined);
    const pending = grant({ code: 'c' });
    setGrantConditions(pending.status!, undefined, 1, new Date());
    assert.match(judgeReadyConditions(pending) ?? '', /Resolved is False \(Pending: Pending\); Ready is False .*status\.status is "Pending"/);
    assert.match(judgeReadyConditions(grant({})) ?? '', /no Processed condition; it has no Resolved condition; it has no Ready condition/);
    assert.match(judgeReadyConditions(undefined) ?? '', /was not observed/);
  });

  test("the reference's Error for an invalid window passes; a Ready grant or a message without the value is caught", () => {
    const invalid = grant({ url: `https://h/${UID}`, ca: 'CA' });
    setGrantConditions(invalid.status!, 'Invalid duration "iamnotaduration": time: invalid duration "iamnotaduration"', 1, new Date());
    assert.equal(judgeErrorStatus(invalid, 'iamnotaduration'), undefined);
    assert.match(judgeErrorStatus(grant({ status: 'Error', message: 'Invalid duration' }), 'iamnotaduration') ?? '', /status\.status is "Error" with the message "Invalid duration"/);
    assert.match(judgeErrorStatus(grant({ status: 'Ready', message: 'OK' }), 'iamnotaduration') ?? '', /status\.status is "Ready"/);
  });

  test('waiting ends at the first good observation, or at the deadline with the last problem', async () => {
    let calls = 0;
    const soon = await waitForJudgement(async () => ++calls, (n) => (n < 3 ? `only ${n}` : undefined), 5_000);
    assert.equal(soon, undefined);
    assert.equal(calls, 3);
    const started = performance.now();
    const late = await waitForJudgement(async () => 'seen', () => 'never right', 60);
    assert.equal(late, 'never right (after 60 ms)');
    assert.ok(performance.now() - started < 1_000);
  });
});
