#!/usr/bin/env node
// The installed command (package.json "bin"): main() with the process's arguments; its answer is the exit code.
import { main } from './main.ts';
import { answering } from '../steps/support/bounded.ts';

// Leave cleanly: nothing of ours should still be running; the exit code is the gate's answer.
process.exitCode = await main(process.argv.slice(2));

// An implementation call the suite stopped waiting for (its bound passed) may still hold the process open
// with what it started (a timer, a socket, a close() that never ends): the reports are written, so leave.
// The timer does not itself keep the process alive: a process with nothing left to do ends as before.
if (answering.abandoned > 0) setTimeout(() => process.exit(), 1_000).unref();
