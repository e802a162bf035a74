// `serve` as a person uses it: start it, redeem the token file it wrote, watch the log, press Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from '../../harness/cli.ts';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ReferenceImplementation } from '../../simulator/redeemer/implementation.ts';
import { parseYamlDocuments, type AccessToken } from '../../model/resources.ts';


function waitForLine(lines: string[], pattern: RegExp, child: ChildProcess): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const check = () => {
      const hit = lines.find((l) => pattern.test(l));
      if (hit) {
        child.stdout!.off('data', check);
        resolveLine(hit);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before printing ${pattern}:\n${lines.join('\n')}`)));
    check();
  });
}

test('serve writes a token that redeems once, logs each redemption without the code, and stops on Ctrl-C', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atc-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token.yaml');
  const child = spawnCli(['serve', '--redemptions', '1', '--expiration', '5m', '--endpoint', 'router.example.test:55671', '--token-file', tokenFile]);
  const lines: string[] = [];
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    lines.splice(0, lines.length, ...stdout.split('\n'));
  });
  t.after(() => child.kill('SIGKILL'));

  await waitForLine(lines, /Waiting for redemptions/, child);
  assert.match(stdout, /grant service listening at https:\/\/127\.0\.0\.1:\d+/);
  assert.equal(statSync(tokenFile).mode & 0o077, 0, 'the token file is private to its owner');
  const [token] = parseYamlDocuments(readFileSync(tokenFile, 'utf8')) as AccessToken[];
  assert.doesNotMatch(stdout, new RegExp(token.spec.code), 'the code is not printed');

  const impl = new ReferenceImplementation();
  const site = { name: 'by-hand', namespace: 'by-hand', uid: 'by-hand-uid' };
  await impl.apply(token, site);
  const first = (await impl.observe(site)).accessTokens[0];
  assert.equal(first.status?.status, 'Ready', JSON.stringify(first.status));
  const logged = await waitForLine(lines, /POST \/[0-9a-f-]+ over TLSv1\.3 name=conformance-token subject=by-hand-uid → 200/, child);
  assert.match(logged, /0 redemption\(s\) left/);

  await impl.apply({ ...token, metadata: { name: 'second' } }, site);
  const second = (await impl.observe(site)).accessTokens.find((a) => a.metadata.name === 'second')!;
  assert.match(second.status?.message ?? '', /No such access granted/);
  await waitForLine(lines, /name=second .*→ 404/, child);
  await impl.close();

  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(stdout, /grant service stopped/);
});

test('serve refuses a bad flag value with one line and exit 2', async () => {
  const child = spawnCli(['serve', '--expiration', 'soon']);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /--expiration soon/);
});
