// The messages between the suite and the process a module implementation runs in (child.ts). Types only:
// the child imports nothing at run time that it does not need, so that it starts fast.

/** What the module's create() made, as far as the contract check (load.ts, contractProblem) needs to know. */
export interface Shape {
  /** create() returned an object (not null, not a function). */
  isObject: boolean;
  /** `name` when it is a string. */
  name?: string;
  version?: string | number | boolean;
  /** `features` when it is a list of strings; `invalid` when it is something else. */
  features?: string[] | { invalid: true };
  /** typeof each method of the contract asked about, 'undefined' when absent. */
  methods: Record<string, string>;
}

/** An error thrown by the implementation, carried across the channel. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string | number;
}

export type ToChild =
  | { t: 'create'; file: string; options: Record<string, string>; methods: string[] }
  | { t: 'call'; id: number; method: string; args: unknown[] };

export type FromChild =
  | { t: 'ready'; shape: Shape }
  | { t: 'failed'; kind: 'load' | 'no-default' | 'create'; message: string }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: WireError }
  /** The child is about to end: an uncaught exception or an unhandled rejection. */
  | { t: 'fatal'; reason: string };
