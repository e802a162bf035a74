// Step matching with the native RegExp `d` flag in place of regexp-match-indices' emulation
// (cli/native-match-indices.ts): the same matches, the same group positions, and cucumber really uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execWithIndices, installNativeMatchIndices } from '../../cli/native-match-indices.ts';

const require = createRequire(import.meta.url);
const expressionsRequire = createRequire(require.resolve('@cucumber/cucumber-expressions'));
// the polyfill's JavaScript emulation, called as RegExp.prototype.exec is (the regexp as receiver)
const emulation = expressionsRequire('regexp-match-indices/implementation') as (this: RegExp, input: string) => RegExpExecArray | null;

function positions(match: RegExpExecArray | null) {
  return match && { values: [...match], index: match.index, indices: [...match.indices!].map((p) => p && [...p]) };
}

test('gives the same matches and group positions as the emulation, step texts of the suite included', async () => {
  const { CucumberExpression, ParameterTypeRegistry } = await import('@cucumber/cucumber-expressions');
  const registry = new ParameterTypeRegistry();
  const cases: Array<[RegExp, string]> = [
    [new CucumberExpression('an AccessToken {string} for the grant', registry).regexp, 'an AccessToken "expired-cert" for the grant'],
    [new CucumberExpression('the token settles within {int} seconds', registry).regexp, 'the token settles within 20 seconds'],
    [new CucumberExpression('the grant service answers every request with status {int} and a body of {int} MiB', registry).regexp, 'the grant service answers every request with status 503 and a body of 40 MiB'],
    [new CucumberExpression('the token {string} is( not) applied', registry).regexp, 'the token "a" is applied'],
    [/^(a(b)?)(c)?(?:d)(?<name>e+)$/, 'aceee'],
    [/^(a(b)?)(c)?(?:d)(?<name>e+)$/, 'abcdee'],
    [/x(y)?/, 'no match here'],
  ];
  for (const [regexp, text] of cases) {
    assert.deepEqual(positions(execWithIndices(regexp, text)), positions(emulation.call(regexp, text)), `${regexp} on ${JSON.stringify(text)}`);
  }
  // the one with a named group: its positions by name too
  const named = execWithIndices(/^(a(b)?)(c)?(?:d)(?<name>e+)$/, 'abcdee')!;
  assert.deepEqual([...named.indices!.groups!.name!], [4, 6]);
});

test('is what cucumber-expressions loads in place of the polyfill, and cucumber matches steps with it', async () => {
  assert.equal(installNativeMatchIndices(), false, 'installed once already, by importing the module');
  assert.equal(expressionsRequire('regexp-match-indices'), execWithIndices);
  const { CucumberExpression, ParameterTypeRegistry } = await import('@cucumber/cucumber-expressions');
  const args = new CucumberExpression('the token {string} fails within {int} seconds', new ParameterTypeRegistry()).match('the token "x" fails within 15 seconds');
  assert.deepEqual(args?.map((a) => a.getValue(null)), ['x', 15]);
  assert.deepEqual(args?.map((a) => a.group.start), [10, 27]);
});
