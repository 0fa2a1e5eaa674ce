// A closed-loop load generator: N clients, each sending its next request as soon as the previous
// one is answered, like dashboards hammering the API. Latency is measured per request in this
// process, so it includes the HTTP round trip a real client pays.
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  clients: number;
  warmUpMs: number;
  measureMs: number;
}

/** One request of one client; resolves with an error message when the answer is wrong. */
export type Request = () => Promise<string | undefined>;

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  /** Error message → how often it occurred (measured window only). */
  errorCounts: Record<string, number>;
}

/** After a failed request a client pauses this long, so a dead server is not spun on. */
const ERROR_BACKOFF_MS = 10;

/**
 * Runs `newClient()` loops concurrently: warm-up first (JIT, connection pools, caches), then
 * records only requests that start inside the measured window. Clients stop early when `signal`
 * aborts (then this rejects with its reason); give requests a deadline of their own.
 */
export async function runLoad(options: LoadOptions, newClient: () => Request, signal: AbortSignal): Promise<LoadResult> {
  const measureFrom = performance.now() + options.warmUpMs;
  const measureUntil = measureFrom + options.measureMs;
  const latencies: number[] = [];
  const errorCounts: Record<string, number> = {};

  function record(started: number, error: string | undefined): void {
    if (started < measureFrom) return;
    if (error === undefined) latencies.push(performance.now() - started);
    else errorCounts[error] = (errorCounts[error] ?? 0) + 1;
  }

  async function loop(request: Request): Promise<void> {
    while (performance.now() < measureUntil && !signal.aborted) {
      const started = performance.now();
      const error = await request().catch((thrown: Error) => `${thrown.name}: ${thrown.message}`);
      record(started, error);
      if (error !== undefined) await sleep(ERROR_BACKOFF_MS);
    }
  }

  await Promise.all(Array.from({ length: options.clients }, () => loop(newClient())));
  signal.throwIfAborted();
  // The last requests may finish after the window closes; they count, and so does their time.
  const elapsedSeconds = (performance.now() - measureFrom) / 1000;
  return summarize(latencies, elapsedSeconds, errorCounts);
}

function summarize(latencies: number[], elapsedSeconds: number, errorCounts: Record<string, number>): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    requestsPerSecond: sorted.length / elapsedSeconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    errors: Object.values(errorCounts).reduce((sum, count) => sum + count, 0),
    errorCounts,
  };
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
