// A flag (a violation) as the review page shows it, on the page's clock (ms after the interview started).
export type Verdict = 'CONFIRMED' | 'DISMISSED';

export interface Flag {
  id: string;
  atMs: number;
  type: string;
  severity: string;
  durationMs: number;
  count: number;
  /** The most confident event's confidence, 0–1; null when no event carried one. */
  confidence: number | null;
  snapshotUrl: string | null;
  review: { verdict: Verdict; note: string | null } | null;
}

/** A time on the page's clock as [h:]mm:ss. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  return `${hours > 0 ? `${hours}:` : ''}${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/** Severity, duration, count and (when the detector gave one) confidence, as one line. */
export function facts(flag: Flag): string {
  const line = `${flag.severity} · ${(flag.durationMs / 1000).toFixed(1)} s · ×${flag.count}`;
  return flag.confidence === null ? line : `${line} · ${Math.round(flag.confidence * 100)} % confidence`;
}

export function verdictText(review: Flag['review']): string {
  return !review ? 'Not reviewed' : review.verdict === 'CONFIRMED' ? '✓ Confirmed' : '✕ Dismissed';
}
