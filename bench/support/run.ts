// The frame every bench runs in, so each one ends in bounded time and leaves nothing behind:
// an overall budget and Ctrl-C/SIGTERM abort one signal (its reason a Limit) that the bench
// passes to its waits; a Limit that escapes is printed as the result line, while any other
// error is a bug of the bench and exits 1. Child processes the bench owns are killed whenever
// the process exits, however it exits.
import type { ChildProcess } from 'node:child_process';
import { asLimit, Limit, seconds } from './limits.ts';
import { currentStage, progress } from './report.ts';

/** After the stop, time to unwind: a graceful server stop (up to 15 s), a durability check (up to 30 s), dropping scratch data. */
const UNWIND_MS = 90_000;
/**
 * After the bench has finished: what still holds the event loop (a socket the server never
 * closed, a job runner's lock timer) must not keep the process alive.
 */
const EXIT_GRACE_MS = 1_000;
const INTERRUPTED_EXIT_CODE = 130;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Marks `child` as the bench's own: SIGKILLed if it is still running when the bench exits. */
export function ownChild<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Runs a bench's `main` with an overall budget of `budgetMs`. `signal` aborts with a Limit when
 * the budget runs out or on the first SIGINT/SIGTERM (a second one quits at once); the bench
 * passes it to its waits and unwinds through its own clean-up. Exit code: 0 when it finished or
 * stopped at a limit of the server, 130 when interrupted, 1 for a bug of the bench.
 */
export function runBench(budgetMs: number, main: (signal: AbortSignal) => Promise<void>): void {
  const stop = new AbortController();
  const budget = setTimeout(() => stop.abort(new Limit('budget spent', `the bench's budget of ${seconds(budgetMs)} ran out`)), budgetMs);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signals++ > 0) {
      progress(`${signal} again: quitting at once`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    progress(`${signal}: stopping and cleaning up (again to quit at once)`);
    stop.abort(new Limit('interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // What the bench was doing when it was stopped, before the stop's own progress lines.
  let stoppedDuring: string | undefined;
  stop.signal.addEventListener('abort', () => {
    stoppedDuring = currentStage();
    progress(`stopping: ${(stop.signal.reason as Error).message}`);
    setTimeout(() => {
      progress(`still unwinding ${seconds(UNWIND_MS)} after the stop: cutting it short`);
      process.exit(exitCodeFor(stop.signal));
    }, UNWIND_MS).unref();
  });

  const finish = (error: unknown) => {
    clearTimeout(budget);
    if (error === undefined) {
      process.exitCode = exitCodeFor(stop.signal);
    } else {
      // After a stop, a failure is its consequence (a browser closed by Ctrl-C, a server stopped under a call).
      const limit = stop.signal.aborted ? (stop.signal.reason as Limit) : asLimit(error);
      if (limit) {
        const stopped = { during: stoppedDuring ?? currentStage(), kind: limit.kind, detail: limit.message };
        console.log(process.argv.includes('--json') ? JSON.stringify({ stopped }, null, 2) : `Result: stopped during "${stopped.during}": ${stopped.kind}: ${stopped.detail}`);
        process.exitCode = limit.kind === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
      } else {
        console.error(error);
        process.exitCode = 1;
      }
    }
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  };
  main(stop.signal).then(() => finish(undefined), finish);
}

/** `--budget S`: a whole number of seconds > 0, in milliseconds. */
export function budgetMs(raw: string): number {
  return positiveInteger('--budget', raw, 'a whole number of seconds') * 1000;
}

/** The value of a command-line flag that must be a whole number > 0 (`what` names it in the error). */
export function positiveInteger(flag: string, raw: string, what = 'a whole number'): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} takes ${what} > 0, got "${raw}"`);
  return value;
}

function exitCodeFor(signal: AbortSignal): number {
  return signal.aborted && (signal.reason as Limit).kind === 'interrupted' ? INTERRUPTED_EXIT_CODE : 0;
}
