// The command adapter in-process, driven as the suite drives it, with small shell scripts standing in for
// an implementation: templates and quoting, the token file, statuses made up from exit codes (and the
// code kept out of them), apply and resync of redeemed tokens, status: file, evidence of unreadable
// files, and what close() removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import create, { CommandImplementation, type CommandEvidence } from '../../../adapters/command/adapter.ts';
import { parseOptions } from '../../../adapters/command/options.ts';
import { expand, splitCommand } from '../../../adapters/command/template.ts';
import { shellQuote } from '../../../model/text.ts';
import type { Site } from '../../../adapters/contract.ts';
import type { AccessToken } from '../../../model/resources.ts';
import { TEST_TMP } from './support.ts';

const CODE = 'sEcReT-c0de-1234567890';

function token(name: string, spec: Partial<AccessToken['spec']> = {}): AccessToken {
  return {
    apiVersion: 'skupper.io/v2alpha1',
    kind: 'AccessToken',
    metadata: { name },
    spec: { url: 'https://127.0.0.1:1/x', code: CODE, ca: 'CA', ...spec },
  };
}

function site(n = 1, name = `site-${n}`): Site {
  return { name, namespace: `ns-${n}-${process.pid}`, uid: `uid-${n}` };
}

/** A scratch dir with a script `impl.sh` and a log of its runs. */
function workspace(t: TestContext, script: string): { dir: string; script: string; runs: () => string[] } {
  const dir = mkdtempSync(join(TEST_TMP, 'atc-cmdtest-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'impl.sh');
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> "${join(dir, 'runs')}"\n${script}\n`, { mode: 0o755 });
  const runs = () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n') : []);
  return { dir, script: file, runs };
}

async function adapter(t: TestContext, options: Record<string, string>): Promise<CommandImplementation> {
  const impl = (await create(options)) as CommandImplementation;
  t.after(() => impl.close());
  return impl;
}

const SECRET_FILE = `printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: %s\\ntype: kubernetes.io/tls\\n' "$NAME" > "$OUT/Secret-$NAME.yaml"`;

test('command templates split like a shell, without one, and fill each argument whole', () => {
  assert.deepEqual(splitCommand(`a 'b c' "d \\"e\\" \\n" f\\ g {tokenFile} ''`), ['a', 'b c', 'd "e" \\n', 'f g', '{tokenFile}', '']);
  const argv = splitCommand('redeem {tokenFile} --site={siteName} {{literal}}').map((a) => expand(a, { tokenFile: '/t/my token.yaml', siteName: 'a b' }));
  assert.deepEqual(argv, ['redeem', '/t/my token.yaml', '--site=a b', '{literal}']);
  assert.equal(expand('x {siteName}', { siteName: "it's here" }, shellQuote), `x 'it'\\''s here'`);
  assert.equal(expand('x {siteId}', { siteId: 'plain-123' }, shellQuote), 'x plain-123');
  assert.throws(() => splitCommand('a "b'), /unterminated " quote/);
});

test('options: defaults, claimed features, and the first problem named', () => {
  const o = parseOptions({ command: 'skupper token redeem {tokenFile}' });
  assert.equal(o.output, 'directory');
  assert.equal(o.status, 'none');
  assert.equal(o.timeoutSeconds, 20);
  assert.equal(o.outputDir, '{stateDir}/namespaces/{namespace}/input/resources');
  assert.deepEqual(o.features, []);
  assert.equal(o.name, 'command (skupper)');
  assert.deepEqual(parseOptions({ command: 'x', status: 'file', resync: 'true', features: 'link-cost' }).features.sort(), ['link-cost', 'resync', 'status']);
  assert.deepEqual(parseOptions({ command: 'x', grantHost: 'host.containers.internal' }).features, [], 'grantHost (--grant-host) is accepted');
  assert.throws(() => parseOptions({ command: 'x', outputDir: '{tokenFile}/{namespace}' }), /\{tokenFile\} cannot be used here/);
  assert.throws(() => parseOptions({ command: 'x', features: 'site-deletion' }), /cannot be claimed/);
  assert.throws(() => parseOptions({ command: 'x', output: 'stdout', outputDir: '/x/{namespace}' }), /outputDir is for output: directory/);
});

test('apply writes the token file (JSON, mode 0600), runs the command once, and hands a redeemed token over again on apply and resync', async (t) => {
  const w = workspace(t, `cp "$1" "${'$'}{COPY}"; stat -c %a "$1" > "${'$'}{COPY}.mode"; OUT="$2"; ${SECRET_FILE}`);
  const impl = await adapter(t, {
    command: `${w.script} {tokenFile} {outputDir} "{siteName}" {siteId}`,
    'env.NAME': '{tokenName}',
    'env.COPY': `${w.dir}/copy-{tokenName}.json`,
  });
  const s = site(1, 'site with spaces');
  await impl.apply(token('west'), s);
  const copy = JSON.parse(readFileSync(join(w.dir, 'copy-west.json'), 'utf8')) as AccessToken;
  assert.equal(copy.spec.code, CODE, 'the code reaches the implementation byte for byte');
  assert.deepEqual(copy.metadata, { name: 'west', namespace: s.namespace, generation: 1 });
  assert.equal(readFileSync(join(w.dir, 'copy-west.json.mode'), 'utf8').trim(), '600');
  const [args] = w.runs();
  const m = new RegExp(`^(\\S+/atc-command-[^/]+)/tokens/west\\.yaml (\\S+)/namespaces/${s.namespace}/input/resources site with spaces uid-1$`).exec(args);
  assert.ok(m, args);
  assert.equal(m[1], m[2], 'the default output dir is in the state dir');

  const o = await impl.observe(s);
  assert.deepEqual(o.accessTokens.map((x) => [x.metadata.name, x.status]), [['west', { status: 'Ready', message: 'OK' }]]);
  assert.deepEqual(o.secrets.map((x) => x.metadata.name), ['west']);
  assert.equal(o.accessTokens[0].status?.conditions, undefined, 'status: none writes no condition');

  // whether a redeemed token is submitted again is the program's to decide (AT-USE-001), not the adapter's
  await impl.apply(token('west', { linkCost: 3 }), s);
  await impl.resync(s);
  assert.equal(w.runs().length, 3, 'the command runs again for the re-apply and for the resync');
  const again = JSON.parse(readFileSync(join(w.dir, 'copy-west.json'), 'utf8')) as AccessToken;
  assert.equal(again.metadata.generation, 2, 'a spec change is a new generation, as an API server counts it');
  assert.equal(again.spec.linkCost, 3);
  assert.equal((await impl.observe(s)).accessTokens[0].metadata.generation, 2);
});

test('a failure: the last line of stderr is the message, without the code; resync and apply run the command again', async (t) => {
  const w = workspace(t, `echo "first line" >&2; echo "refused $(grep -o '"code": "[^"]*"' "$1")" >&2; echo >&2; exit 3`);
  const impl = await adapter(t, { command: `${w.script} {tokenFile}`, resync: 'true' });
  assert.ok(impl.features.includes('resync'));
  const s = site(2);
  await impl.apply(token('east'), s);
  const o = await impl.observe(s);
  const status = o.accessTokens[0].status!;
  assert.equal(status.status, 'Error');
  assert.match(status.message!, /^refused "code": "\[redacted code: \d+ bytes, sha256 [0-9a-f]+\]"$/);
  assert.ok(!JSON.stringify([status, o.runs]).includes(CODE), 'the code appears neither in the status nor in the evidence');
  assert.equal(o.runs?.[0].exitCode, 3);
  await impl.resync(s);
  await impl.apply(token('east'), s);
  assert.equal(w.runs().length, 3);
});

test('with nothing on stderr the message is the last line of stdout (Skupper prints its errors there), unless stdout is the resource stream', async (t) => {
  // as Skupper's CLI: `fmt.Println(err)`, exit 1; the code it echoes is redacted
  const w = workspace(t, `echo "File written to nowhere"; echo "Received HTTP Response 404: $(grep -o '"code": "[^"]*"' "$1")"; echo; [ "$2" = both ] && echo "the stderr line" >&2; exit 1`);
  const s = site(9);
  const impl = await adapter(t, { command: `${w.script} {tokenFile} {tokenName}` });
  await impl.apply(token('stdout-only'), s);
  await impl.apply(token('both'), s);
  const o = await impl.observe(s);
  const messages = Object.fromEntries(o.accessTokens.map((x) => [x.metadata.name, x.status?.message]));
  assert.match(messages['stdout-only']!, /^Received HTTP Response 404: "code": "\[redacted code: \d+ bytes, sha256 [0-9a-f]+\]"$/);
  assert.equal(messages.both, 'the stderr line', 'stderr, when it has a line, wins');
  const run = o.runs?.find((r) => r.token === 'stdout-only');
  assert.equal(run?.stdout?.[0], 'File written to nowhere', 'the evidence has the last lines of stdout too');
  assert.ok(!JSON.stringify([o.accessTokens.map((x) => x.status), o.runs]).includes(CODE), 'the code appears neither in the status nor in the evidence');

  // output: stdout — what the command printed is its resources, never the message
  const streamed = await adapter(t, { command: `${w.script} {tokenFile} {tokenName}`, output: 'stdout' });
  await streamed.apply(token('streamed'), site(10));
  const [reported] = (await streamed.observe(site(10))).accessTokens;
  assert.equal(reported.status?.message, 'the command exited with code 1');
});

test('tokenDir: where the state dirs are made; a path with a character Skupper refuses in a token path is an error naming it', async (t) => {
  const w = workspace(t, `echo "$1" > "${'$'}{DIRS}/token-path"`);
  const tokens = join(w.dir, 'tokens-here');
  mkdirSync(tokens);
  const impl = await adapter(t, { command: `${w.script} {tokenFile}`, tokenDir: tokens, 'env.DIRS': w.dir });
  await impl.apply(token('placed'), site(11));
  const path = readFileSync(join(w.dir, 'token-path'), 'utf8').trim();
  assert.match(path, new RegExp(`^${tokens}/atc-command-[A-Za-z0-9]{6}/tokens/placed\\.yaml$`));
  assert.match(path, /^[A-Za-z0-9./~-]+$/, "the token file's path is one Skupper's CLI takes");

  const underscored = join(w.dir, 'has_underscore');
  mkdirSync(underscored);
  await assert.rejects(create({ command: 'x {tokenFile}', tokenDir: underscored }), (e: Error) => {
    assert.equal(e.message.split('\n').length, 1);
    assert.ok(e.message.includes(JSON.stringify(underscored)), e.message);
    assert.match(e.message, /^token files cannot be written under options\.tokenDir ".*": its path has characters outside \[A-Za-z0-9\.\/~-\].*set options\.tokenDir/);
    return true;
  });
  assert.throws(() => parseOptions({ command: 'x', tokenDir: join(w.dir, 'absent') }), /options\.tokenDir ".*absent" is not an existing directory/);
  // the default, the system temp dir, is held to the same
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = underscored;
  try {
    assert.throws(() => parseOptions({ command: 'x' }), /token files cannot be written under the system temp dir ".*has_underscore": .*set options\.tokenDir/);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  await assert.rejects(impl.apply(token('under_score'), site(11)), /cannot name a file after the token name "under_score"/);
});

test('an exit code with nothing on stderr, and a program killed by a signal, still say what happened', async (t) => {
  const w = workspace(t, `[ "$2" = kill ] && kill -TERM $$; exit 7`);
  const impl = await adapter(t, { command: `${w.script} {tokenFile} {tokenName}` });
  const s = site(3);
  await impl.apply(token('quiet'), s);
  await impl.apply(token('kill'), s);
  const messages = Object.fromEntries((await impl.observe(s)).accessTokens.map((x) => [x.metadata.name, x.status?.message]));
  assert.deepEqual(messages, { quiet: 'the command exited with code 7', kill: 'the command was killed by SIGTERM' });
});

test('files that are not resources are evidence, not a crash', async (t) => {
  const w = workspace(t, `OUT="$2"; ${SECRET_FILE}; printf 'kind: Link\\nmetadata: {name: [broken\\n' > "$OUT/Link-bad.yaml"; echo hi > "$OUT/notes.txt"; echo '"just text"' > "$OUT/Link-text.yaml"`);
  const impl = await adapter(t, { command: `${w.script} {tokenFile} {outputDir}`, 'env.NAME': '{tokenName}' });
  const s = site(4);
  await impl.apply(token('odd'), s);
  const o = await impl.observe(s);
  assert.deepEqual(o.secrets.map((x) => x.metadata.name), ['odd']);
  assert.deepEqual(o.links, []);
  const problems = (o as CommandEvidence).problems ?? [];
  assert.ok(problems.some((p) => p.startsWith('Link-bad.yaml, document 1: not valid YAML')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('Link-text.yaml, document 1: not a resource')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('notes.txt: ignored')), problems.join('\n'));
});

test('status: file reports the status the program wrote back, and claims "status"', async (t) => {
  const w = workspace(t, `cat > "$2/AccessToken-$3.yaml" <<EOF
apiVersion: skupper.io/v2alpha1
kind: AccessToken
metadata:
  name: $3
status:
  status: Ready
  message: OK
  redeemed: true
  conditions:
  - {type: Redeemed, status: "True", reason: Ready, message: OK, lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 1}
EOF`);
  const impl = await adapter(t, { command: `${w.script} {tokenFile} {outputDir} {tokenName}`, status: 'file' });
  assert.ok(impl.features.includes('status'));
  const s = site(5);
  await impl.apply(token('kept'), s);
  const [reported] = (await impl.observe(s)).accessTokens;
  assert.equal(reported.status?.conditions?.[0].reason, 'Ready');
  assert.equal(reported.status?.redeemed, true);
  assert.equal(reported.spec.code, CODE, 'the token is reported as applied');
});

test('shell: "true" runs the template with sh -c, values quoted', async (t) => {
  const w = workspace(t, '');
  const out = join(w.dir, 'shell-out');
  const impl = await adapter(t, { command: `echo {siteName} | tr a-z A-Z > ${out} && ${w.script} "$PWD"`, shell: 'true', cwd: w.dir });
  const s = site(6, "o'brien site");
  await impl.apply(token('sh'), s);
  assert.equal(readFileSync(out, 'utf8'), "O'BRIEN SITE\n");
  assert.deepEqual(w.runs(), [w.dir], 'cwd is where the command runs');
});

test('close() removes every state dir, and in an output dir of its own only what the run made', async (t) => {
  const w = workspace(t, `echo "$1" > "${'$'}{DIRS}/state-$3"; OUT="$2"; NAME=$3; ${SECRET_FILE}`);
  const data = join(w.dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'keep.txt'), 'not ours');
  const shared = join(w.dir, 'shared-ns-8-' + process.pid);
  mkdirSync(shared);
  writeFileSync(join(shared, 'Secret-old.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: old\n');
  const impl = (await create({ command: `${w.script} {tokenFile} {outputDir} {tokenName}`, outputDir: `${data}/namespaces/{namespace}/input/resources`, 'env.DIRS': w.dir })) as CommandImplementation;
  const impl2 = (await create({ command: `${w.script} {tokenFile} {outputDir} {tokenName}`, outputDir: `${w.dir}/shared-{namespace}`, 'env.DIRS': w.dir })) as CommandImplementation;
  await impl.apply(token('one'), site(7));
  await impl2.apply(token('two'), site(8));
  assert.ok(existsSync(join(data, 'namespaces', site(7).namespace, 'input/resources/Secret-one.yaml')));
  assert.deepEqual((await impl2.observe(site(8))).secrets.map((x) => x.metadata.name).sort(), ['old', 'two']);
  const stateDirs = ['one', 'two'].map((n) => readFileSync(join(w.dir, `state-${n}`), 'utf8').trim().replace(/\/tokens\/[^/]+$/, ''));
  for (const d of stateDirs) assert.ok(statSync(d).isDirectory());
  await impl.close();
  await impl2.close();
  for (const d of stateDirs) assert.ok(!existsSync(d), `${d} is still there`);
  assert.ok(!existsSync(join(data, 'namespaces')), 'the directories the run made are gone');
  assert.ok(existsSync(join(data, 'keep.txt')), 'what was there before stays');
  assert.ok(existsSync(join(shared, 'Secret-old.yaml')));
  assert.ok(!existsSync(join(shared, 'Secret-two.yaml')));
  await assert.rejects(impl.apply(token('late'), site(7)), /closed/);
});
