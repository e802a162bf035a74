// The last guard: what it finds in text that has already passed the hooks' redaction (or slipped past it).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { codeMarker, PRIVATE_KEY_MARKER } from '../../model/redact.ts';
import { RedactionGuard } from '../../reports/redaction-guard.ts';

const CODE = 'Hk3WmP9qLs2VxT7bNc4RzY8d';
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = KEY.split('\n')[1];

describe('the redaction guard', () => {
  test('recognises a code whose marker appears in the evidence, wherever the code shows up raw', () => {
    const guard = RedactionGuard.fromTexts(JSON.stringify({ body: codeMarker(CODE) }));
    assert.equal(guard.knownCodes, 1);
    const out = guard.text(`-expected "${CODE}"\n+code=${CODE}&x=1 (${CODE})`);
    assert.ok(!out.includes(CODE), out);
    assert.equal(out.split(codeMarker(CODE)).length - 1, 3);
    assert.deepEqual([...guard.found], [CODE]);
  });

  test('leaves a string of the same length that is not a known code alone', () => {
    const guard = RedactionGuard.fromTexts(codeMarker(CODE));
    const other = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    assert.equal(guard.text(`id ${other} here`), `id ${other} here`);
  });

  test('without any marker it finds no codes and returns ordinary text unchanged', () => {
    const guard = RedactionGuard.fromTexts('nothing to see');
    const text = `a token named ${CODE} by coincidence`;
    assert.equal(guard.text(text), text);
  });

  test('replaces a PEM private key, and one cut short that has no END line', () => {
    const guard = new RedactionGuard();
    const out = guard.text(`key ${KEY} then ${KEY.slice(0, 80)}`);
    assert.ok(!out.includes('PRIVATE KEY-----'), out);
    assert.ok(!out.includes(KEY_BODY.slice(0, 30)), out);
    assert.ok(out.startsWith(`key ${PRIVATE_KEY_MARKER}`));
  });

  test('replaces a PEM private key inside a JSON string without eating the rest of the document', () => {
    const guard = new RedactionGuard();
    const json = JSON.stringify({ message: `failed: ${KEY.slice(0, 90)}`, next: 'kept' });
    const out = guard.text(json);
    const parsed = JSON.parse(out) as { message: string; next: string };
    assert.equal(parsed.next, 'kept');
    assert.ok(parsed.message.includes(PRIVATE_KEY_MARKER));
    assert.ok(!out.includes(KEY_BODY.slice(0, 30)));
  });

  test('replaces a base64-encoded PEM private key and keeps a base64-encoded certificate', () => {
    const guard = new RedactionGuard();
    const key64 = Buffer.from(KEY).toString('base64');
    const cert64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const out = guard.text(`tls.key: ${key64}\nca.crt: ${cert64}`);
    assert.equal(out, `tls.key: ${PRIVATE_KEY_MARKER}\nca.crt: ${cert64}`);
  });

  test('guards every string of a value, keys included, and returns a copy', () => {
    const guard = RedactionGuard.fromTexts(codeMarker(CODE));
    const value = { list: [CODE, 1, null], [CODE]: { nested: `x ${CODE}` } };
    const out = guard.value(value);
    assert.ok(!JSON.stringify(out).includes(CODE));
    assert.equal(value.list[0], CODE, 'the original is untouched');
  });

  test('replaces codes it found before by a plain search', () => {
    const guard = RedactionGuard.fromTexts(codeMarker(CODE));
    guard.text(CODE);
    assert.equal(guard.foundCodes(`<${CODE}>${CODE}`), `<${codeMarker(CODE)}>${codeMarker(CODE)}`);
  });
});
