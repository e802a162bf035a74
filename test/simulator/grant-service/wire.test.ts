// The grant service's wire helpers: headers, the grant's key in a path, the names of a redemption, and the
// one serialisation of an answer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_HEADERS, flattenHeaders, grantKey, headerValue, httpError, redemptionAnswer, redemptionNames, wireBody } from '../../../simulator/grant-service/wire.ts';
import { toYamlStream, type Secret } from '../../../model/resources.ts';

const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok', creationTimestamp: null }, type: 'kubernetes.io/tls', data: {} };

describe('headers', () => {
  test('are flattened to one string each, repeated ones joined with ", ", missing ones left out', () => {
    assert.deepEqual(flattenHeaders({ name: 'tok', 'x-many': ['a', 'b'], gone: undefined }), { name: 'tok', 'x-many': 'a, b' });
    assert.equal(headerValue(undefined), '');
  });
});

describe('redemptionNames', () => {
  test('take the name header or the grant name, and the subject header or that name', () => {
    assert.deepEqual(redemptionNames({ name: 'tok', subject: 'uid' }, 'grant'), { name: 'tok', subject: 'uid' });
    assert.deepEqual(redemptionNames({ name: 'tok' }, 'grant'), { name: 'tok', subject: 'tok' });
    assert.deepEqual(redemptionNames({ name: '', subject: '' }, 'grant'), { name: 'grant', subject: 'grant' });
  });
});

describe('grantKey', () => {
  test('is the path without its query and without any slash', () => {
    assert.equal(grantKey('/abc'), 'abc');
    assert.equal(grantKey('//abc/?x=/y'), 'abc');
    assert.equal(grantKey('/'), '');
  });
});

describe('answers', () => {
  test("an error is Go's http.Error: the text and a newline, plain and not to be sniffed", () => {
    const answer = httpError(404, 'No such claim', 'uid');
    assert.deepEqual(answer.headers, ERROR_HEADERS);
    assert.equal(wireBody(answer), 'No such claim\n');
    assert.equal(answer.grantUid, 'uid');
  });

  test('a redemption is written as the YAML stream of its documents, then any raw text', () => {
    const answer = redemptionAnswer([secret], 'uid');
    assert.deepEqual([answer.status, answer.headers], [200, { 'content-type': 'text/plain; charset=utf-8' }]);
    assert.equal(wireBody(answer), toYamlStream([secret]));
    assert.equal(wireBody({ ...answer, text: '---\nkind: [\n' }), `${toYamlStream([secret])}---\nkind: [\n`);
  });
});
