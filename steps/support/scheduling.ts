// A parallel run's workers take the @slow scenarios first (slow-first.ts says why).
import { setParallelCanAssign } from './cucumber.ts';
import { slowFirst } from './slow-first.ts';

setParallelCanAssign((pickle) => slowFirst.canAssign(pickle));
