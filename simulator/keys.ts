// The RSA keys of a run's PKI (pki.ts), made by OpenSSL on libuv's thread pool. The CLI asks for them as
// soon as it knows a run is coming (cli/bin.ts), so that they are made while the suite's modules load
// instead of after: a key takes ~175 ms of CPU (0.2-0.6 s of wall time for a PKI's), most of a serial run's
// fixed cost otherwise.
import { generateKeyPair, generateKeyPairSync } from 'node:crypto';

/** A private key, PKCS#1 PEM. */
type PrivatePem = string;

/** A key started early: `made` once OpenSSL has finished it. */
interface EarlyKey {
  key: Promise<PrivatePem>;
  made?: PrivatePem;
}

const early: EarlyKey[] = [];

const RSA_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

function generate(): Promise<PrivatePem> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', RSA_OPTIONS, (err, _publicPem, privatePem) => (err ? reject(err) : resolve(privatePem)));
  });
}

/** Starts making `count` keys now; pki.ts takes them when it needs keys. */
export function startKeys(count: number): void {
  while (early.length < count) {
    const entry: EarlyKey = { key: generate() };
    entry.key.then(
      (made) => (entry.made = made),
      () => undefined, // a failure is reported to whoever takes the key
    );
    early.push(entry);
  }
}

/** `count` fresh keys: those started early first, the rest made now. Each key is handed out once. */
export function takeKeys(count: number): Promise<PrivatePem>[] {
  const keys = early.splice(0, count).map((e) => e.key);
  while (keys.length < count) keys.push(generate());
  return keys;
}

/** The keys started early and not yet taken: how many, and how many of them OpenSSL has finished. */
export function waitingKeys(): { started: number; made: number } {
  return { started: early.length, made: early.filter((e) => e.made !== undefined).length };
}

/**
 * A fresh key now, for what cannot wait: one started early if OpenSSL has finished it, else one made on
 * the spot (blocking this thread for its ~175 ms).
 */
export function takeKeyNow(): PrivatePem {
  const ready = early.findIndex((e) => e.made !== undefined);
  if (ready !== -1) return early.splice(ready, 1)[0].made!;
  return generateKeyPairSync('rsa', RSA_OPTIONS).privateKey;
}
