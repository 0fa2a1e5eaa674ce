// Latency summaries for the live bench. Samples that never arrived (an alert that was not
// delivered, an ack that never came) are passed as Infinity: they rank above every real sample,
// so a percentile that reaches them reads as "never" instead of silently leaving them out.

export interface LatencySummary {
  samples: number;
  /** Samples that are Infinity (never arrived). */
  missing: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let missing = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i] === Infinity; i--) missing++;
  return {
    samples: sorted.length,
    missing,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}

/** Nearest-rank percentile of ascending samples (NaN when there are none). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
