// Open-loop pacing for the live bench: clients act on a fixed schedule whether or not earlier
// requests were answered, as candidate pages do. A closed loop (next request after the answer)
// would slow down with the server and hide exactly the queueing the bench is meant to see.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `act(i)` for each of `count` clients once every `periodMs`, their turns spread evenly
 * over the period (client i at i·period/count) so the load is smooth rather than a burst every
 * period. Runs until `durationMs` has passed; stops early when `signal` aborts.
 */
export async function roundRobin(count: number, periodMs: number, durationMs: number, act: (client: number) => void, signal?: AbortSignal): Promise<void> {
  if (count === 0) return;
  const slotMs = periodMs / count;
  const start = performance.now();
  const end = start + durationMs;
  for (let turn = 0; ;) {
    const now = performance.now();
    // Every turn that is due: after a late wake-up the missed turns go out at once, so the
    // offered rate holds even when the bench's own event loop lags.
    while (start + turn * slotMs <= now) {
      if (start + turn * slotMs >= end || signal?.aborted) return;
      act(turn % count);
      turn++;
    }
    const nextAt = start + turn * slotMs;
    if (nextAt >= end || signal?.aborted) return;
    await sleep(Math.max(1, nextAt - performance.now()));
  }
}
