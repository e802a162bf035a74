// The small YAML emitter: whatever it writes, the yaml package reads back as the same data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { emitYaml } from '../../reports/yaml-emit.ts';
import { buildReport } from '../../reports/yaml-report.ts';
import { sampleResult } from './fixtures/sample-result.ts';

function roundTrips(value: unknown): void {
  const text = emitYaml(value);
  assert.deepEqual(parse(text), JSON.parse(JSON.stringify(value)), text);
}

describe('the YAML emitter', () => {
  test('round-trips strings that look like other types or carry YAML syntax', () => {
    roundTrips({
      yes: 'yes', no: 'No', on: 'on', null: 'null', tilde: '~', number: '1.0', octal: '0o17', date: '2026-01-01', hex: '0x1F',
      colon: 'a: b', hash: 'a #b', dash: '-', lead: ' x', trail: 'x ', quote: '"q"', single: "'s'", star: '*ref', amp: '&anchor',
      bang: '!tag', percent: '%x', at: '@x', backtick: '`x`', braces: '{a: 1}', brackets: '[1]', pipe: '| x', gt: '> x', empty: '',
      unicode: 'é ✓ 漢字', control: 'bell\u0007 del\u007f c1\u0085 bom\ufeff', lone: '\ud800', separator: 'a\u2028b',
    });
  });

  test('round-trips multi-line strings, with and without trailing newlines and blank lines', () => {
    roundTrips({ a: 'one\ntwo', b: 'one\ntwo\n', c: 'one\ntwo\n\n\n', d: 'one\n\n\ntwo', e: '# not a comment\n- not a list', f: '\n\nleading', g: 'tab\tinside\nx', h: 'spaces \nend', i: 'crlf\r\nx' });
  });

  test('round-trips nested lists and maps, empty ones too, and odd keys', () => {
    roundTrips({ list: [[1, [2, []]], {}, [], { k: [] }, { a: { b: [{ c: null }] } }], 'a key: with colon': true, '': 0, '123': -1.5, nested: [{ x: 'y\nz', w: [1] }] });
    roundTrips([]);
    roundTrips({});
    roundTrips('top\nlevel');
    roundTrips([{ only: 1 }]);
  });

  test('leaves out undefined values, as JSON does', () => {
    assert.deepEqual(parse(emitYaml({ a: 1, b: undefined })), { a: 1 });
  });

  test('round-trips a whole report', () => {
    roundTrips(buildReport(sampleResult()));
  });
});
