// How the long-running commands (`proctor up`, `proctor worker`, `proctor watch`) stop. The first
// SIGINT or SIGTERM asks for a clean stop, which must be over within a grace period; a second
// signal ends the process at once. Both exits are explicit, so neither a library's own signal
// handling (Ink's terminal restore, say) nor something still pending (a socket mid-handshake, a
// job that never returns) can swallow the signal or keep a stopping process alive.
import { constants } from 'node:os';

export type StopSignal = 'SIGINT' | 'SIGTERM';
const STOP_SIGNALS: StopSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * What a server's stop may take beyond PROCTOR_SHUTDOWN_TIMEOUT (the limit for requests and jobs
 * in flight) to close the database and the media workers, before it is cut short.
 */
export const STOP_MARGIN_MS = 5_000;

/** The exit code a shell reports for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Resolves with the first SIGINT or SIGTERM, for the command to stop cleanly. From then on a
 * second one ends the process at once (exit code 128 + its number), and so does the clean stop
 * taking longer than `graceMs` (exit code 1).
 */
export function nextSignal(graceMs: number): Promise<StopSignal> {
  return new Promise((resolve) => {
    let first: StopSignal | undefined;
    const onSignal = (signal: StopSignal) => {
      if (first) exitNow(signalExitCode(signal), `${signal} again: stopping at once`);
      first = signal;
      exitIfStillRunningAfter(graceMs);
      resolve(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
  });
}

/**
 * Ends the process with exit code 1 if it is still running `ms` from now. The timer keeps nothing
 * alive: a process that finishes its stop sooner exits as usual.
 */
export function exitIfStillRunningAfter(ms: number): void {
  setTimeout(() => exitNow(1, `Stopping took longer than ${formatSeconds(ms)}: exiting anyway`), ms).unref();
}

function exitNow(code: number, message: string): never {
  // stderr may be a pipe nobody reads any more (the parent died): the message is best effort.
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // nothing left to tell
  }
  process.exit(code);
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
