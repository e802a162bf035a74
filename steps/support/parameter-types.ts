import { defineParameterType } from './cucumber.ts';

// A list of quoted names: "one", "two" and "three"
defineParameterType({
  name: 'names',
  regexp: /"[^"]*"(?:(?:, | and )"[^"]*")*/,
  transformer: (list: string) => [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]),
});
