// What the step files need of cucumber: its step-definition functions, World and Status, taken from the
// modules that define them rather than from the package's entry point. The entry point also loads every
// formatter, the configuration and the command line (with luxon, yup, commander, lodash: ~140 modules a
// worker never uses), about 0.1 s of CPU in each cucumber worker a parallel run starts, all at once on
// the machine's cores, before its first scenario. They are the same objects the entry point exports
// (cucumber's own entry point requires these modules; test/steps/cucumber.test.ts checks that they are);
// if a cucumber version moves them, the entry point is used instead, at its usual cost.
import type * as Cucumber from '@cucumber/cucumber';
import { createRequire } from 'node:module';

interface StepApi {
  Given: typeof Cucumber.Given;
  When: typeof Cucumber.When;
  Then: typeof Cucumber.Then;
  Before: typeof Cucumber.Before;
  After: typeof Cucumber.After;
  BeforeAll: typeof Cucumber.BeforeAll;
  AfterAll: typeof Cucumber.AfterAll;
  setDefaultTimeout: typeof Cucumber.setDefaultTimeout;
  setDefinitionFunctionWrapper: typeof Cucumber.setDefinitionFunctionWrapper;
  setParallelCanAssign: typeof Cucumber.setParallelCanAssign;
  setWorldConstructor: typeof Cucumber.setWorldConstructor;
  defineParameterType: typeof Cucumber.defineParameterType;
  World: typeof Cucumber.World;
  Status: typeof Cucumber.Status;
}

function fromDefiningModules(): StepApi | undefined {
  const require = createRequire(import.meta.url);
  try {
    const builderPath = require.resolve('@cucumber/cucumber/lib/support_code_library_builder/index');
    const builder = require(builderPath).default;
    const World = require('@cucumber/cucumber/lib/support_code_library_builder/world').default;
    // cucumber's own copy of messages, wherever npm put it: the entry point's Status is its enum
    const { TestStepResultStatus } = createRequire(builderPath)('@cucumber/messages');
    const api: StepApi = { ...builder.methods, World, Status: TestStepResultStatus };
    const complete = Object.values(api).every((v) => v !== undefined);
    return complete ? api : undefined;
  } catch {
    return undefined;
  }
}

const api: StepApi = fromDefiningModules() ?? (await import('@cucumber/cucumber'));

export const {
  Given,
  When,
  Then,
  Before,
  After,
  BeforeAll,
  AfterAll,
  setDefaultTimeout,
  setDefinitionFunctionWrapper,
  setParallelCanAssign,
  setWorldConstructor,
  defineParameterType,
  World,
  Status,
} = api;
export type { IWorldOptions } from '@cucumber/cucumber';
