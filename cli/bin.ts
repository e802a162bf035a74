#!/usr/bin/env node
// The installed command (package.json "bin"): main() with the process's arguments; its answer is the exit code.
import { main } from './main.ts';

// Leave cleanly: nothing of ours should still be running; the exit code is the gate's answer.
process.exitCode = await main(process.argv.slice(2));
