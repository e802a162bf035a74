// The RSA keys of a run's PKI (pki.ts), made by OpenSSL on libuv's thread pool. The CLI asks for them as
// soon as it knows a run is coming (cli/bin.ts), so that they are made while the suite's modules load
// instead of after: three keys take 0.2-0.6 s of wall time, most of a serial run's fixed cost otherwise.
import { generateKeyPair } from 'node:crypto';

/** A private key, PKCS#1 PEM. */
type PrivatePem = string;

const early: Promise<PrivatePem>[] = [];

function generate(): Promise<PrivatePem> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
      (err, _publicPem, privatePem) => (err ? reject(err) : resolve(privatePem)),
    );
  });
}

/** Starts making `count` keys now; pki.ts takes them when it needs keys. */
export function startKeys(count: number): void {
  while (early.length < count) {
    const key = generate();
    key.catch(() => undefined); // a failure is reported to whoever takes the key
    early.push(key);
  }
}

/** `count` fresh keys: those started early first, the rest made now. Each key is handed out once. */
export function takeKeys(count: number): Promise<PrivatePem>[] {
  const keys = early.splice(0, count);
  while (keys.length < count) keys.push(generate());
  return keys;
}
