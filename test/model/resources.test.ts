// YAML (de)serialisation and validation of an AccessToken against the CRD (spec §1.1).
import assert from 'node:assert/strict';
import { findCondition } from '../../model/conditions.ts';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import {
  decodeBase64,
  encodeBase64,
  formatValidationErrors,
  parseYamlDocuments,
  SKUPPER_API_VERSION,
  toYaml,
  toYamlStream,
  validateAccessToken,
  validateCondition,
  YamlError,
  type AccessToken,
  type Condition,
  type Link,
  type Secret,
} from '../../model/resources.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function token(): AccessToken {
  return {
    apiVersion: SKUPPER_API_VERSION,
    kind: 'AccessToken',
    metadata: { name: 'my-token' },
    spec: { url: 'https://10.107.241.191:9090/86b80f6b-2b02-47ac-bab4-d285bb4f7b9d', code: 'L1qCl2mZ7D81gbXp3ax4YT0K', ca: CA },
  };
}

function condition(overrides: Partial<Record<keyof Condition, unknown>> = {}): Record<string, unknown> {
  return {
    type: 'Redeemed',
    status: 'True',
    reason: 'Ready',
    message: 'OK',
    lastTransitionTime: '2026-11-28T10:00:00Z',
    observedGeneration: 1,
    ...overrides,
  };
}

function withConditions(...conditions: unknown[]): unknown {
  return { ...token(), status: { status: 'Ready', message: 'OK', redeemed: true, conditions } };
}

function fields(resource: unknown): string[] {
  return validateAccessToken(resource).map((e) => e.field);
}

const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'tok', creationTimestamp: null },
  type: 'kubernetes.io/tls',
  data: { 'ca.crt': encodeBase64(CA), 'tls.crt': encodeBase64('crt'), 'tls.key': encodeBase64('key') },
};
const link: Link = {
  apiVersion: SKUPPER_API_VERSION,
  kind: 'Link',
  metadata: { name: 'tok', creationTimestamp: null },
  spec: { endpoints: [{ name: 'inter-router', host: 'h.example.test', port: '55671', group: 'g' }], tlsCredentials: 'tok' },
};

describe('YAML', () => {
  test('round-trips one resource through toYaml and parseYamlDocuments', () => {
    const t = token();
    t.spec.linkCost = 2;
    t.spec.settings = { a: 'b' };
    assert.deepEqual(parseYamlDocuments(toYaml(t)), [t]);
  });

  test('keeps a multi-line PEM intact and writes long lines unfolded', () => {
    const text = toYaml(token());
    assert.deepEqual((parseYamlDocuments(text)[0] as AccessToken).spec.ca, CA);
    const long = { ...token(), spec: { ...token().spec, code: 'x'.repeat(500) } };
    assert.ok(toYaml(long).split('\n').some((line) => line.includes('x'.repeat(500))));
  });

  test('round-trips a multi-document stream, each document introduced by ---', () => {
    const stream = toYamlStream([secret, link]);
    assert.match(stream, /^---\napiVersion: v1\n/);
    assert.equal(stream.match(/^---$/gm)?.length, 2);
    assert.deepEqual(parseYamlDocuments(stream), [secret, link]);
  });

  test('keeps null values such as creationTimestamp: null', () => {
    assert.equal((parseYamlDocuments(toYamlStream([secret]))[0] as Secret).metadata.creationTimestamp, null);
  });

  test('drops empty documents', () => {
    assert.deepEqual(parseYamlDocuments('---\n---\na: 1\n---\n'), [{ a: 1 }]);
    assert.deepEqual(parseYamlDocuments(''), []);
  });

  test('reads JSON, which is YAML', () => {
    assert.deepEqual(parseYamlDocuments('{"kind": "Secret", "data": {"a": "b"}}'), [{ kind: 'Secret', data: { a: 'b' } }]);
  });

  test('throws a YamlError on broken YAML', () => {
    for (const broken of ['kind: [Secret\n', 'a: b\n  c: d\n', '---\nkind: Link\nspec: {endpoints: [\n', 'a: "unterminated\n']) {
      assert.throws(() => parseYamlDocuments(broken), (e: Error) => e instanceof YamlError && e.name === 'YamlError' && e.message.length > 0, broken);
    }
  });

  test('throws a YamlError when a later document of a stream is broken', () => {
    assert.throws(() => parseYamlDocuments(`${toYamlStream([secret, link])}---\nkind: [\n`), YamlError);
  });
});

describe('YAML with long scalars (spliced into the text rather than serialised)', () => {
  // what toYaml would write if it handed every value to the serialiser
  const serialisedWhole = (resource: unknown) => stringify(resource, { lineWidth: 0 });
  const padding = Buffer.alloc(100 * 1024, 0x61).toString('base64');
  const padded: Secret = { ...secret, data: { 'tls.key': 'S0VZ', padding, 'tls.crt': 'Q0VSVA==' } };

  test("a Secret padded with 100 KiB of base64 is written exactly as the serialiser writes it", () => {
    assert.equal(toYaml(padded), serialisedWhole(padded));
    assert.equal(toYamlStream([padded, link]), `---\n${serialisedWhole(padded)}---\n${serialisedWhole(link)}`);
    assert.ok(toYaml(padded).includes(`\n  padding: ${padding}\n`));
  });

  test('so are long base64 values of any length, in a sequence, twice, and as a whole document', () => {
    for (const bytes of [96 * 1024, 96 * 1024 + 1, 96 * 1024 + 2]) {
      const random = `A${randomBase64(bytes)}`;
      for (const resource of [{ data: { a: random, b: random } }, { items: ['x', random, { nested: padding }] }, random]) {
        assert.equal(toYaml(resource), serialisedWhole(resource));
      }
    }
  });

  test('an object met twice is still written once and then as an alias', () => {
    const shared = { padding };
    const resource = { first: shared, second: shared, list: [shared] };
    assert.equal(toYaml(resource), serialisedWhole(resource));
    assert.match(toYaml(resource), /second: \*a1\n/);
  });

  test('long values the serialiser does not write as they are go to the serialiser: quoted, folded into a block, or holding a reference to itself', () => {
    const cyclic: Record<string, unknown> = { padding };
    cyclic.self = cyclic;
    for (const value of ['7'.repeat(70 * 1024), `${padding}\n${padding}`, `${padding} `, `${padding}#x`, `-${padding}`, `${padding}é`]) {
      assert.equal(toYaml({ value }), serialisedWhole({ value }), value.slice(0, 10));
    }
    assert.match(toYaml({ value: '7'.repeat(70 * 1024) }), /^value: "7/);
    assert.equal(toYaml(cyclic), serialisedWhole(cyclic));
  });
});

function randomBase64(bytes: number): string {
  return Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7919 + 13) % 256)).toString('base64');
}

describe('base64', () => {
  test('encodes and decodes UTF-8 text, and decodes undefined as empty', () => {
    assert.equal(encodeBase64('héllo'), 'aMOpbGxv');
    assert.equal(decodeBase64('aMOpbGxv'), 'héllo');
    assert.equal(decodeBase64(undefined), '');
  });
});

describe('validateAccessToken', () => {
  test('passes a valid token', () => {
    assert.deepEqual(validateAccessToken(token()), []);
  });

  test('passes a valid token with linkCost, settings and a full status', () => {
    const t = { ...token(), spec: { ...token().spec, linkCost: 0, settings: { k: 'v' } }, status: { redeemed: true, status: 'Ready', message: 'OK', conditions: [condition()] } };
    assert.deepEqual(validateAccessToken(t), []);
  });

  test('passes a token with an empty ca (the CRD requires the field, not a value)', () => {
    assert.deepEqual(validateAccessToken({ ...token(), spec: { ...token().spec, ca: '' } }), []);
  });

  test('passes a token without spec (spec itself is not required)', () => {
    const { spec: _spec, ...rest } = token();
    assert.deepEqual(validateAccessToken(rest), []);
  });

  for (const field of ['url', 'code', 'ca'] as const) {
    test(`names spec.${field} when it is missing`, () => {
      const t = token() as unknown as { spec: Record<string, unknown> };
      delete t.spec[field];
      const errors = validateAccessToken(t);
      assert.deepEqual(errors, [{ field: `spec.${field}`, message: 'Required value' }]);
      assert.equal(formatValidationErrors(errors), `spec.${field}: Required value`);
    });
  }

  test('names every missing field at once', () => {
    assert.deepEqual(fields({ ...token(), spec: {} }), ['spec.url', 'spec.code', 'spec.ca']);
    assert.equal(
      formatValidationErrors(validateAccessToken({ ...token(), spec: { url: null } })),
      'spec.url: Required value; spec.code: Required value; spec.ca: Required value',
    );
  });

  test('names fields of the wrong type', () => {
    const bad = { ...token(), spec: { url: 42, code: true, ca: ['x'], linkCost: 1.5, settings: { a: 1 } } };
    assert.deepEqual(validateAccessToken(bad), [
      { field: 'spec.url', message: 'must be of type string' },
      { field: 'spec.code', message: 'must be of type string' },
      { field: 'spec.ca', message: 'must be of type string' },
      { field: 'spec.linkCost', message: 'must be of type integer' },
      { field: 'spec.settings.a', message: 'must be of type string' },
    ]);
  });

  test('names a spec, settings, status or conditions of the wrong shape', () => {
    assert.deepEqual(fields({ ...token(), spec: 'x' }), ['spec']);
    assert.deepEqual(fields({ ...token(), spec: { ...token().spec, settings: ['a'] } }), ['spec.settings']);
    assert.deepEqual(fields({ ...token(), status: [] }), ['status']);
    assert.deepEqual(fields({ ...token(), status: { redeemed: 'yes', status: 1, message: false } }), ['status.redeemed', 'status.status', 'status.message']);
    assert.deepEqual(fields({ ...token(), status: { conditions: {} } }), ['status.conditions']);
  });

  test('names apiVersion, kind and metadata.name when they are wrong or missing', () => {
    assert.deepEqual(fields({ ...token(), apiVersion: 'skupper.io/v1', kind: 'Token', metadata: { name: '' } }), ['apiVersion', 'kind', 'metadata.name']);
    assert.deepEqual(fields({ apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', spec: token().spec }), ['metadata.name']);
  });

  test('refuses something that is not an object', () => {
    assert.equal(validateAccessToken('token').length, 1);
    assert.equal(validateAccessToken(null).length, 1);
  });

  test('refuses a condition status outside True, False, Unknown', () => {
    assert.deepEqual(fields(withConditions(condition({ status: 'true' }))), ['status.conditions[0].status']);
    assert.deepEqual(fields(withConditions(condition({ status: 'Unknown' }))), []);
    assert.deepEqual(fields(withConditions(condition({ status: 'False' }))), []);
  });

  test('refuses a condition reason that does not match the CRD pattern', () => {
    for (const reason of ['', 'Not Ready', '1Ready', 'Ready,', 'Ready-Now', 'x'.repeat(1025)]) {
      assert.deepEqual(fields(withConditions(condition({ reason }))), ['status.conditions[0].reason'], JSON.stringify(reason).slice(0, 20));
    }
    for (const reason of ['Ready', 'Error', 'a', 'Some_Reason:1,2_x']) {
      assert.deepEqual(fields(withConditions(condition({ reason }))), [], reason);
    }
  });

  test('refuses a lastTransitionTime that is not an RFC 3339 date-time', () => {
    for (const lastTransitionTime of ['2026-11-28', '2026-11-28 10:00:00Z', 'yesterday', '2026-13-45T10:00:00Z', '2026-11-28T10:00:00']) {
      assert.deepEqual(fields(withConditions(condition({ lastTransitionTime }))), ['status.conditions[0].lastTransitionTime'], lastTransitionTime);
    }
    for (const lastTransitionTime of ['2026-11-28T10:00:00Z', '2026-11-28T10:00:00.123+02:00', '2026-11-28t10:00:00z']) {
      assert.deepEqual(fields(withConditions(condition({ lastTransitionTime }))), [], lastTransitionTime);
    }
  });

  test('refuses a negative or fractional observedGeneration', () => {
    assert.deepEqual(validateCondition(condition({ observedGeneration: -1 })), [{ field: 'condition.observedGeneration', message: 'must be greater than or equal to 0' }]);
    assert.deepEqual(fields(withConditions(condition({ observedGeneration: 1.5 }))), ['status.conditions[0].observedGeneration']);
    assert.deepEqual(fields(withConditions(condition({ observedGeneration: 0 }))), []);
  });

  test('names each missing required condition field', () => {
    for (const key of ['lastTransitionTime', 'message', 'reason', 'status', 'type']) {
      const c = condition();
      delete c[key];
      assert.deepEqual(fields(withConditions(c)), [`status.conditions[0].${key}`], key);
    }
    assert.deepEqual(fields(withConditions({})), [
      'status.conditions[0].lastTransitionTime',
      'status.conditions[0].message',
      'status.conditions[0].reason',
      'status.conditions[0].status',
      'status.conditions[0].type',
    ]);
  });

  test('refuses a condition type that is not a qualified name, or too long', () => {
    assert.deepEqual(fields(withConditions(condition({ type: 'Not Redeemed' }))), ['status.conditions[0].type']);
    assert.deepEqual(fields(withConditions(condition({ type: `a${'b'.repeat(316)}` }))), ['status.conditions[0].type']);
    assert.deepEqual(fields(withConditions(condition({ type: 'skupper.io/Redeemed' }))), []);
  });

  test('refuses a condition message longer than 32768 characters', () => {
    assert.deepEqual(fields(withConditions(condition({ message: 'm'.repeat(32769) }))), ['status.conditions[0].message']);
    assert.deepEqual(fields(withConditions(condition({ message: 'm'.repeat(32768) }))), []);
  });

  test('names the index of the bad condition', () => {
    assert.deepEqual(fields(withConditions(condition(), condition({ type: 'Other', status: 'maybe' }))), ['status.conditions[1].status']);
  });

  test('refuses a condition that is not an object', () => {
    assert.deepEqual(fields(withConditions('Redeemed')), ['status.conditions[0]']);
  });
});

describe('findCondition', () => {
  test('finds a condition by type, or answers undefined', () => {
    const c = condition() as unknown as Condition;
    assert.equal(findCondition({ status: { conditions: [c] } }, 'Redeemed'), c);
    assert.equal(findCondition({ status: { conditions: [c] } }, 'Ready'), undefined);
    assert.equal(findCondition({}, 'Redeemed'), undefined);
  });
});
