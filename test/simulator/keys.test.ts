// The run's RSA keys (simulator/keys.ts): started early on libuv's thread pool, each handed out once.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { test } from 'node:test';
import { startKeys, takeKeyNow, takeKeys, waitingKeys } from '../../simulator/keys.ts';
import { createPki } from '../../simulator/pki.ts';

const rsaBits = (pem: string) => createPrivateKey(pem).asymmetricKeyDetails?.modulusLength;

/** Until every key started early is made (a key takes well under a second; the bound is for a slow machine). */
async function earlyKeysMade(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (waitingKeys().made < waitingKeys().started) {
    assert.ok(Date.now() < deadline, 'the early keys were not made in 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('keys started early are handed out once each, then fresh ones are made', async () => {
  startKeys(2);
  assert.equal(waitingKeys().started, 2);
  const [a, b, c] = await Promise.all(takeKeys(3));
  assert.equal(waitingKeys().started, 0);
  assert.equal(new Set([a, b, c]).size, 3);
  for (const key of [a, b, c]) {
    assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.equal(rsaBits(key), 2048);
  }
});

test('a key wanted now is one started early once OpenSSL has made it, else one made on the spot', async () => {
  const made = takeKeyNow();
  assert.equal(rsaBits(made), 2048);
  startKeys(1);
  await earlyKeysMade();
  const early = takeKeyNow();
  assert.equal(waitingKeys().started, 0, 'the early key was handed over');
  assert.notEqual(early, made);
  assert.equal(rsaBits(early), 2048);
});

test("a PKI takes two keys; its unrelated CA takes a third only when it is first read", async () => {
  startKeys(3);
  const pki = await createPki();
  assert.equal(waitingKeys().started, 1, 'the grant CA and the leaf key');
  await earlyKeysMade();
  const unrelated = pki.unrelatedCa.certPem;
  assert.equal(waitingKeys().started, 0, 'the unrelated CA took the third');
  assert.equal(pki.unrelatedCa.certPem, unrelated, 'made once');
  assert.notEqual(pki.unrelatedCa.keyPem, pki.ca.keyPem);
  assert.notEqual(pki.unrelatedCa.keyPem, pki.server.keyPem);
});

test('a prepared unrelated CA is made from a key made off the thread; reading it then takes no key', async () => {
  startKeys(2);
  const pki = await createPki();
  startKeys(1);
  await pki.prepareUnrelated();
  assert.equal(waitingKeys().started, 0, 'preparing took the key started early');
  startKeys(1);
  await earlyKeysMade();
  const prepared = pki.unrelatedCa.certPem;
  assert.ok(pki.otherCaServer.certPem);
  assert.equal(waitingKeys().started, 1, 'reading the unrelated CA took a key: it was not made when prepared');
  await pki.prepareUnrelated();
  assert.equal(pki.unrelatedCa.certPem, prepared, 'prepared once');
  await Promise.all(takeKeys(1));
});
