// A run interrupted (Ctrl-C, a CI job cancelled) ends the suite's process without an 'exit' event. The
// commands run in process groups of their own, out of the terminal's reach, so whoever started them is
// told to abandon everything synchronously; the signal then does what it would have done.
const abandoners = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  for (const abandon of abandoners) abandon();
  abandoners.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', onExit);
  // anyone else listening handles it; otherwise the default: end the process by this signal
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  for (const abandon of abandoners) abandon();
  abandoners.clear();
}

function listen(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', onExit);
  if (abandoners.size === 0) return;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

/**
 * Calls `abandon` (synchronously) if the process exits or is interrupted before the returned function is
 * called. `abandon` kills what was started and removes what was made.
 */
export function onInterrupt(abandon: () => void): () => void {
  abandoners.add(abandon);
  listen();
  return () => {
    abandoners.delete(abandon);
    listen();
  };
}
